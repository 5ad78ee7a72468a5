package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.DispatchLease;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowIterator;
import io.vertx.sqlclient.Tuple;

/**
 * Consumer-group checkpoints in a PostgreSQL table, {@code commbus_checkpoints(group_name,
 * position)}, so every node of a cluster resumes a group from the same place. A save never
 * moves a checkpoint backwards: a dispatcher that lost its lock cannot undo its successor's
 * progress with a late save.
 */
public final class PostgresCheckpointStore implements CheckpointStore {

  private static final String TABLE = "commbus_checkpoints";

  private final Pool pool;
  private final PgConnectOptions connect;
  private Future<Void> schema;
  private Future<Void> leaseSchema;

  private PostgresCheckpointStore(Vertx vertx, PgConnectOptions connect) {
    this.connect = connect;
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build();
  }

  /** A store on the server of {@code options} (the journal's connection settings). */
  public static PostgresCheckpointStore create(Vertx vertx, PostgresJournalOptions options) {
    return new PostgresCheckpointStore(vertx, options.getConnect());
  }

  /** The checkpoint table and the lease table a fenced save reads, created once. */
  private synchronized Future<Void> leaseSchema() {
    if (leaseSchema == null || leaseSchema.failed()) {
      leaseSchema = schema().compose(v -> PostgresDispatchLeases.createTable(pool));
    }
    return leaseSchema;
  }

  private synchronized Future<Void> schema() {
    if (schema == null || schema.failed()) {
      schema = pool.query("CREATE TABLE IF NOT EXISTS " + TABLE
          + " (group_name TEXT PRIMARY KEY, position BIGINT NOT NULL)").execute().mapEmpty();
    }
    return schema;
  }

  @Override
  public Future<Long> load(String group) {
    return schema()
        .compose(v -> pool.preparedQuery("SELECT position FROM " + TABLE + " WHERE group_name = $1")
            .execute(Tuple.of(group)))
        .map(rows -> {
          RowIterator<Row> it = rows.iterator();
          return it.hasNext() ? it.next().getLong(0) : 0L;
        })
        .recover(this::storageError);
  }

  @Override
  public Future<Void> save(String group, long position) {
    return schema()
        .compose(v -> pool.preparedQuery("INSERT INTO " + TABLE + " (group_name, position) VALUES ($1, $2) "
            + "ON CONFLICT (group_name) DO UPDATE SET position = GREATEST(" + TABLE + ".position, EXCLUDED.position)")
            .execute(Tuple.of(group, position)))
        .<Void>mapEmpty()
        .recover(this::storageError);
  }

  /**
   * Saves only while {@code lease} is the group's current one (its token in
   * {@code commbus_group_leases}); a superseded holder's save fails with UNAVAILABLE and writes
   * nothing. Leases that do not fence (token 0) save as {@link #save(String, long)}.
   */
  @Override
  public Future<Void> save(String group, long position, DispatchLease lease) {
    if (lease.token() == 0) {
      return save(group, position);
    }
    String current = "EXISTS (SELECT 1 FROM " + PostgresDispatchLeases.TABLE
        + " WHERE group_name = $1::text AND token = $3::bigint)";
    String fenced = "INSERT INTO " + TABLE + " (group_name, position) SELECT $1::text, $2::bigint WHERE " + current
        + " ON CONFLICT (group_name) DO UPDATE SET position = GREATEST(" + TABLE + ".position, EXCLUDED.position)"
        + " WHERE " + current + " RETURNING 1";
    return leaseSchema()
        .compose(v -> pool.preparedQuery(fenced).execute(Tuple.of(group, position, lease.token())))
        .recover(this::storageError)
        .compose(rows -> rows.size() == 1 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new CommBusException(ErrorCode.UNAVAILABLE, "group " + group + ": lease token "
                + lease.token() + " is no longer the group's, so checkpoint " + position + " was not saved")));
  }

  private <T> Future<T> storageError(Throwable cause) {
    return Future.failedFuture(new CommBusException(ErrorCode.STORAGE, "checkpoint store at " + connect.getHost() + ":"
        + connect.getPort() + ": " + cause.getMessage(), cause));
  }

  public Future<Void> close() {
    return pool.close();
  }
}
