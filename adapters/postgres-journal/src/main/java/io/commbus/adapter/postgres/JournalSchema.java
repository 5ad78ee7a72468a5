package io.commbus.adapter.postgres;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The names and DDL of one journal: the record table, the one-row head table that hands out
 * positions, and the NOTIFY channel. Names come from {@link PostgresJournalOptions#setTable},
 * which admits only plain lower-case identifiers, so quoting them is enough.
 */
final class JournalSchema {

  final String table;
  final String records;
  final String head;
  final String channel;

  JournalSchema(String table) {
    this.table = table;
    this.records = '"' + table + '"';
    this.head = '"' + table + "_head\"";
    this.channel = table;
  }

  /**
   * Creates what is missing, in one transaction under an advisory lock: two nodes starting at
   * once would otherwise race in CREATE TABLE IF NOT EXISTS and one would fail on the catalog's
   * unique index.
   */
  Future<Void> create(Pool pool) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
        .execute(Tuple.of("commbus-journal-schema:" + table))
        // IF NOT EXISTS raises a NOTICE on every open but the first, which the driver logs as a warning.
        .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + records + " ("
            + "position BIGINT PRIMARY KEY, "
            + "event_id TEXT NOT NULL UNIQUE, "
            + "type TEXT NOT NULL, "
            + "ts BIGINT NOT NULL, "
            + "headers JSONB NOT NULL, "
            + "body_kind SMALLINT NOT NULL, "
            + "body BYTEA)").execute())
        .compose(v -> conn.query("CREATE INDEX IF NOT EXISTS \"" + table + "_type_position\" ON " + records
            + " (type, position)").execute())
        // One row, forced by the CHECK: the counter every append transaction locks.
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + head + " ("
            + "single BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (single), "
            + "last BIGINT NOT NULL)").execute())
        // Seeded from the records rather than 0, in case the head table was lost or dropped.
        .compose(v -> conn.query("INSERT INTO " + head + " (single, last) SELECT TRUE, COALESCE(MAX(position), 0) FROM "
            + records + " ON CONFLICT (single) DO NOTHING").execute())
        .mapEmpty());
  }
}
