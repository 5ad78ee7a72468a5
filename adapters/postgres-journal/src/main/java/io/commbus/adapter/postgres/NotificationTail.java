package io.commbus.adapter.postgres;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgNotification;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Keeps one dedicated connection LISTENing on the journal's channel and passes each NOTIFY'd
 * last position to the watchers, each on the context it registered from. Appends from any
 * node notify, so watchers hear of every node's records.
 *
 * <p>If the connection drops it is re-opened after a delay; since notifications sent in
 * between are lost, watchers are then given the current last position so tails catch up.
 * Everything but {@link #watch} runs on the journal's context.
 */
final class NotificationTail {

  private static final System.Logger LOG = System.getLogger(NotificationTail.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final PostgresJournalOptions options;
  private final JournalSchema schema;
  private final Supplier<Future<Long>> lastPosition;
  private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

  private PgConnection connection;
  private boolean closed;

  private record Watcher(Context context, Handler<Long> listener) {
  }

  NotificationTail(Vertx vertx, Context context, PostgresJournalOptions options, JournalSchema schema,
      Supplier<Future<Long>> lastPosition) {
    this.vertx = vertx;
    this.context = context;
    this.options = options;
    this.schema = schema;
    this.lastPosition = lastPosition;
  }

  /** Connects and LISTENs; fails if the server cannot be reached. Call on the journal's context. */
  Future<Void> start() {
    return PgConnection.connect(vertx, options.getConnect()).compose(conn -> {
      if (closed) {
        return conn.close();
      }
      conn.notificationHandler(this::notified);
      conn.closeHandler(v -> lost(conn));
      // The close handler recovers; without this handler the driver would log every reset as an error.
      conn.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "journal " + schema.table + ": LISTEN connection: "
          + e.getMessage()));
      connection = conn;
      return conn.query("LISTEN \"" + schema.channel + "\"").execute().<Void>mapEmpty()
          .onFailure(e -> {
            connection = null;   // so that closing it is not taken for a lost connection
            conn.close();
          });
    });
  }

  AutoCloseable watch(Handler<Long> listener) {
    Watcher watcher = new Watcher(vertx.getOrCreateContext(), listener);
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  Future<Void> close() {
    closed = true;
    PgConnection conn = connection;
    connection = null;
    return conn == null ? Future.succeededFuture() : conn.close();
  }

  private void notified(PgNotification notification) {
    if (!schema.channel.equals(notification.getChannel())) {
      return;
    }
    long last;
    try {
      last = Long.parseLong(notification.getPayload());
    } catch (NumberFormatException e) {
      LOG.log(System.Logger.Level.WARNING, "journal " + schema.table + ": ignoring NOTIFY payload '"
          + notification.getPayload() + "'");
      return;
    }
    tell(last);
  }

  private void tell(long last) {
    for (Watcher watcher : watchers) {
      watcher.context().runOnContext(v -> watcher.listener().handle(last));
    }
  }

  private void lost(PgConnection conn) {
    context.runOnContext(v -> {
      if (closed || conn != connection) {
        return;
      }
      connection = null;
      LOG.log(System.Logger.Level.WARNING, "journal " + schema.table + ": LISTEN connection to " + options.where()
          + " lost; reconnecting");
      retryLater();
    });
  }

  private void retryLater() {
    vertx.setTimer(options.getListenRetryDelay().toMillis(), id -> context.runOnContext(v -> {
      if (closed) {
        return;
      }
      start()
          .compose(started -> lastPosition.get())
          .onSuccess(this::tell)
          .onFailure(e -> {
            LOG.log(System.Logger.Level.WARNING, "journal " + schema.table + ": LISTEN on " + options.where()
                + " failed: " + e.getMessage());
            if (connection != null) {
              // Connected but the catch-up read failed; the connection will tell us if it drops.
              return;
            }
            retryLater();
          });
    }));
  }
}
