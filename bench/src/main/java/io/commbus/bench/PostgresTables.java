package io.commbus.bench;

import io.commbus.adapter.postgres.PostgresJournal;
import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.journal.EventJournal;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;

import java.util.LinkedHashSet;
import java.util.Set;

/** The benchmark's PostgreSQL journals: one table per configuration, all dropped at the end. */
final class PostgresTables {

  private final Vertx vertx;
  private final PostgresJournalOptions defaults = new PostgresJournalOptions();
  private final Set<String> created = new LinkedHashSet<>();

  PostgresTables(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<EventJournal> open(String table) {
    created.add(table);
    return PostgresJournal.open(vertx, new PostgresJournalOptions(defaults).setTable(table))
        .map(journal -> (EventJournal) journal)
        .recover(e -> Future.failedFuture(new BenchFailure("the journal suite needs PostgreSQL at "
            + defaults.getConnect().getHost() + ":" + defaults.getConnect().getPort() + " (" + e.getMessage() + ")", e)));
  }

  Future<Void> dropAll() {
    if (created.isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder tables = new StringBuilder();
    for (String table : created) {
      tables.append(tables.length() == 0 ? "" : ", ").append(table).append(", ").append(table).append("_head");
    }
    return PgConnection.connect(vertx, defaults.getConnect()).compose(connection ->
        connection.query("DROP TABLE IF EXISTS " + tables).execute()
            .eventually(connection::close)).mapEmpty();
  }
}
