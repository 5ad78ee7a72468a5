package io.commbus.node;

import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

import static io.commbus.node.TestConfigs.await;

/** What a test run on the machine's PostgreSQL leaves behind, removed: its journal table, and its group's rows. */
public final class PostgresRuns {

  private PostgresRuns() {
  }

  /**
   * Drops the journal {@code table} (and its head) and deletes {@code group}'s lease and
   * checkpoint rows, which live in tables every run shares. Tables that were never made are no
   * error: a run may fail before its nodes made them.
   */
  public static void drop(String table, String group) {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection connection = await(PgConnection.connect(vertx, new PostgresJournalOptions().getConnect()));
      await(connection.query("DROP TABLE IF EXISTS " + table + ", " + table + "_head").execute()
          .compose(v -> connection.preparedQuery("DELETE FROM commbus_group_leases WHERE group_name = $1")
              .execute(Tuple.of(group)))
          .compose(v -> connection.preparedQuery("DELETE FROM commbus_checkpoints WHERE group_name = $1")
              .execute(Tuple.of(group)))
          .recover(e -> e.getMessage() != null && e.getMessage().contains("does not exist")
              ? Future.succeededFuture() : Future.failedFuture(e))
          .eventually(connection::close));
    } finally {
      await(vertx.close());
    }
  }
}
