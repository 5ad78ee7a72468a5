package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.AppendHealth;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalHealth;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An {@link EventJournal} in a PostgreSQL table, shared safely by any number of nodes: the
 * database hands out positions (dense, see {@link AppendBatch}), a UNIQUE event id makes
 * appends idempotent for ever and across nodes, and LISTEN/NOTIFY tells watchers of every
 * node's appends (see {@link NotificationTail} and docs/journal-postgres.md).
 *
 * <p>Appends queue up; the journal's own event-loop context takes all that are waiting (up to
 * {@code maxBatch}) into one transaction, and only one transaction per journal is in flight:
 * group commit. The reactive client never blocks, so nothing here blocks an event loop.
 */
public final class PostgresJournal implements EventJournal {

  private final Vertx vertx;
  private final PostgresJournalOptions options;
  private final JournalSchema schema;
  /** The journal's own context: it alone runs the append queue and the LISTEN connection. */
  private final Context context;
  private final Pool pool;
  private final AppendBatch batches;
  private final NotificationTail tail;
  private final String selectAll;
  private final String selectTypes;
  private final String selectLast;
  private final String probeHead;
  private final String probeRecords;
  private final Queue<PendingAppend> queue = new ConcurrentLinkedQueue<>();
  private final AppendHealth health = new AppendHealth();
  private final Promise<Void> closedPromise = Promise.promise();

  private volatile boolean closed;
  /** Only the journal's context touches these. */
  private boolean appending;
  private boolean releasing;

  private record PendingAppend(JournalEvent event, Promise<Appended> promise) {
  }

  /**
   * Connects, creates the tables if missing and starts listening for appends. Fails with
   * STORAGE, naming host and port, when the server cannot be reached.
   */
  public static Future<PostgresJournal> open(Vertx vertx, PostgresJournalOptions options) {
    PostgresJournal journal = new PostgresJournal(vertx, new PostgresJournalOptions(options));
    Promise<PostgresJournal> opened = VertxInternals.promiseOn(vertx.getOrCreateContext());
    journal.context.runOnContext(v -> journal.start().onComplete(ar -> {
      if (ar.succeeded()) {
        opened.complete(journal);
      } else {
        journal.close().onComplete(closedAnyway -> opened.fail(
            StorageErrors.storage("could not open the journal", journal.options, ar.cause())));
      }
    }));
    return opened.future();
  }

  private PostgresJournal(Vertx vertx, PostgresJournalOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.schema = new JournalSchema(options.getTable());
    this.context = VertxInternals.newEventLoopContext(vertx);
    this.pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.getPoolSize()))
        .connectingTo(options.getConnect())
        .using(vertx)
        .build();
    this.batches = new AppendBatch(pool, schema);
    this.tail = new NotificationTail(vertx, context, options, schema, this::lastPosition);
    this.selectAll = "SELECT " + RecordRows.COLUMNS + " FROM " + schema.records
        + " WHERE position >= $1 ORDER BY position LIMIT $2";
    this.selectTypes = "SELECT " + RecordRows.COLUMNS + " FROM " + schema.records
        + " WHERE position >= $1 AND type = ANY($3) ORDER BY position LIMIT $2";
    this.selectLast = "SELECT last FROM " + schema.head + " WHERE single";
    this.probeHead = "SELECT last FROM " + schema.head + " WHERE single FOR UPDATE";
    this.probeRecords = "SELECT 1 FROM " + schema.records + " LIMIT 0";
  }

  private Future<Void> start() {
    return schema.create(pool).compose(v -> tail.start());
  }

  /** The table this journal lives in. */
  public String table() {
    return options.getTable();
  }

  // ------------------------------------------------------------------ appends

  @Override
  public Future<Appended> append(JournalEvent event) {
    if (closed) {
      return Future.failedFuture(StorageErrors.closed(options));
    }
    try {
      RecordRows.check(event);
    } catch (CommBusException e) {
      return Future.failedFuture(e);
    }
    // Completed on the caller's context, whichever thread the transaction finished on.
    Promise<Appended> promise = VertxInternals.promiseOn(vertx.getOrCreateContext());
    queue.add(new PendingAppend(event, promise));
    context.runOnContext(v -> appendWaiting());
    return promise.future().onComplete(health::record);
  }

  /** Starts a transaction for everything waiting, unless one is already in flight. */
  private void appendWaiting() {
    if (appending) {
      return;
    }
    if (closed) {
      failWaiting();
      release();
      return;
    }
    List<PendingAppend> batch = new ArrayList<>();
    PendingAppend next;
    while (batch.size() < options.getMaxBatch() && (next = queue.poll()) != null) {
      batch.add(next);
    }
    if (batch.isEmpty()) {
      return;
    }
    appending = true;
    List<JournalEvent> events = new ArrayList<>(batch.size());
    batch.forEach(p -> events.add(p.event()));
    batches.append(events)
        // The lookup under the head lock should make this impossible; should a duplicate
        // still slip in (say, a row written by hand), the retry finds it in its lookup.
        .recover(e -> StorageErrors.isUniqueViolation(e) ? batches.append(events) : Future.failedFuture(e))
        .onComplete(ar -> context.runOnContext(v -> {
          complete(batch, ar);
          appending = false;
          appendWaiting();
        }));
  }

  private void complete(List<PendingAppend> batch, AsyncResult<List<Appended>> result) {
    if (result.failed()) {
      // The transaction rolled back, or its commit was not confirmed; a retry with the same
      // event id is safe either way.
      CommBusException error = StorageErrors.storage("could not append " + batch.size() + " event(s)", options,
          result.cause());
      batch.forEach(p -> p.promise().tryFail(error));
      return;
    }
    List<Appended> outcomes = result.result();
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).promise().tryComplete(outcomes.get(i));
    }
  }

  private void failWaiting() {
    PendingAppend pending;
    while ((pending = queue.poll()) != null) {
      pending.promise().tryFail(StorageErrors.closed(options));
    }
  }

  // ------------------------------------------------------------------ reads

  /**
   * Plain SELECTs suffice to see a gap-free prefix: appends commit in position order (see
   * {@link AppendBatch}), and one statement reads one snapshot.
   */
  @Override
  public Future<List<JournalRecord>> read(long fromPosition, int maxRecords, Set<String> types) {
    if (closed) {
      return Future.failedFuture(StorageErrors.closed(options));
    }
    if (maxRecords <= 0) {
      return Future.succeededFuture(List.of());
    }
    Future<io.vertx.sqlclient.RowSet<Row>> rows = types.isEmpty()
        ? pool.preparedQuery(selectAll).execute(Tuple.of(fromPosition, (long) maxRecords))
        : pool.preparedQuery(selectTypes).execute(Tuple.of(fromPosition, (long) maxRecords)
            .addArrayOfString(types.toArray(new String[0])));
    return onCallersContext(rows.<List<JournalRecord>>map(set -> {
      List<JournalRecord> records = new ArrayList<>(set.size());
      for (Row row : set) {
        records.add(RecordRows.record(row));
      }
      return records;
    }).recover(e -> Future.failedFuture(StorageErrors.storage("could not read the journal", options, e))));
  }

  @Override
  public JournalHealth health() {
    return health.current();
  }

  /**
   * While DOWN, tries what an append needs without appending: a transaction that locks the
   * head row and reads the records table, then rolls back. If that works the database is back
   * (the next append has the last word); if not, the journal stays DOWN with the new cause.
   */
  @Override
  public Future<JournalHealth> checkHealth() {
    if (closed || health.current().state() == JournalHealth.State.UP) {
      return Future.succeededFuture(health.current());
    }
    Future<Void> probe = pool.withConnection(conn -> conn.begin().compose(tx -> conn.query(probeHead).execute()
        .compose(locked -> conn.query(probeRecords).execute())
        .eventually(tx::rollback)).<Void>mapEmpty());
    return onCallersContext(probe.transform(ar -> {
      if (ar.succeeded()) {
        health.stored();
      } else {
        health.failed(StorageErrors.storage("could not write to the journal", options, ar.cause()).getMessage());
      }
      return Future.succeededFuture(health.current());
    }));
  }

  /** Reads the head row: the last position handed out by a committed transaction. */
  @Override
  public Future<Long> lastPosition() {
    if (closed) {
      return Future.failedFuture(StorageErrors.closed(options));
    }
    return onCallersContext(pool.query(selectLast).execute()
        .map(set -> set.iterator().next().getLong(0))
        .recover(e -> Future.failedFuture(StorageErrors.storage("could not read the journal head", options, e))));
  }

  /** The pool completes on its own context; the journal contract promises the caller's. */
  private <T> Future<T> onCallersContext(Future<T> result) {
    Promise<T> here = VertxInternals.promiseOn(vertx.getOrCreateContext());
    result.onComplete(here);
    return here.future();
  }

  @Override
  public AutoCloseable watch(Handler<Long> listener) {
    return tail.watch(listener);
  }

  // ------------------------------------------------------------------ closing

  /**
   * Refuses new appends, fails those still waiting, lets the transaction in flight finish,
   * then closes the LISTEN connection and the pool.
   */
  @Override
  public Future<Void> close() {
    closed = true;
    context.runOnContext(v -> appendWaiting());
    Promise<Void> closedHere = VertxInternals.promiseOn(vertx.getOrCreateContext());
    closedPromise.future().onComplete(closedHere);
    return closedHere.future();
  }

  /** Runs once nothing is in flight. */
  private void release() {
    if (releasing) {
      return;
    }
    releasing = true;
    tail.close()
        .transform(ignored -> pool.close())
        .onComplete(ar -> closedPromise.tryComplete());
  }
}
