package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.DispatchLease;
import io.commbus.bus.journal.DispatchLeases;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Consumer-group dispatch decided in PostgreSQL, where the events are: one lease row per group in
 * {@value #TABLE} (holder, token, expiry). Taking a lease that is free or expired raises its
 * token; the holder renews it every third of its time to live, and loses it when a renewal finds
 * another holder or none has succeeded for a whole time to live (the database unreachable: this
 * node must assume another took over). {@link PostgresCheckpointStore} writes a checkpoint only
 * with the current token, so a superseded holder cannot write. No cluster lock is involved, so a
 * split cluster still runs one dispatcher per group.
 */
public final class PostgresDispatchLeases implements DispatchLeases {

  static final String TABLE = "commbus_group_leases";
  /** How long a lease lives without renewal, unless configured. */
  public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final Pool pool;
  private final PgConnectOptions connect;
  private final Duration timeToLive;
  /** This member, as the lease rows name it. */
  private final String holder = UUID.randomUUID().toString();
  private Future<Void> schema;

  private PostgresDispatchLeases(Vertx vertx, PgConnectOptions connect, Duration timeToLive) {
    this.vertx = vertx;
    this.connect = connect;
    this.timeToLive = Objects.requireNonNull(timeToLive, "timeToLive");
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(connect).using(vertx).build();
  }

  /** Leases on the server of {@code options} (the journal's connection settings). */
  public static PostgresDispatchLeases create(Vertx vertx, PostgresJournalOptions options) {
    return create(vertx, options, DEFAULT_TIME_TO_LIVE);
  }

  public static PostgresDispatchLeases create(Vertx vertx, PostgresJournalOptions options, Duration timeToLive) {
    return new PostgresDispatchLeases(vertx, options.getConnect(), timeToLive);
  }

  /** Tokens come from a sequence, so they never repeat, not even if a lease row is deleted. */
  static final String TOKENS = "commbus_group_lease_tokens";

  static Future<Void> createTable(io.vertx.sqlclient.SqlClient client) {
    return client.query("CREATE SEQUENCE IF NOT EXISTS " + TOKENS).execute()
        .compose(v -> client.query("CREATE TABLE IF NOT EXISTS " + TABLE + " (group_name TEXT PRIMARY KEY,"
            + " holder TEXT NOT NULL, token BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)").execute())
        .mapEmpty();
  }

  private synchronized Future<Void> schema() {
    if (schema == null || schema.failed()) {
      schema = createTable(pool);
    }
    return schema;
  }

  /** A lease held by another is asked for again a third of its time to live later: no sooner can it expire unseen. */
  @Override
  public java.time.Duration retryDelay() {
    return timeToLive.dividedBy(3);
  }

  @Override
  public Future<DispatchLease> acquire(String group) {
    // Free, expired or already this member's: take it with the next token. Otherwise no row comes back.
    String take = "INSERT INTO " + TABLE + " (group_name, holder, token, expires_at)"
        + " VALUES ($1::text, $2::text, nextval('" + TOKENS + "'),"
        + " now() + $3::double precision * interval '1 millisecond')"
        + " ON CONFLICT (group_name) DO UPDATE SET holder = EXCLUDED.holder, token = nextval('" + TOKENS + "'),"
        + " expires_at = EXCLUDED.expires_at"
        + " WHERE " + TABLE + ".expires_at < now() OR " + TABLE + ".holder = EXCLUDED.holder"
        + " RETURNING token";
    long askedAt = System.nanoTime();
    return schema()
        .compose(v -> pool.preparedQuery(take).execute(Tuple.of(group, holder, timeToLive.toMillis())))
        .recover(e -> Future.failedFuture(storage("could not take the lease of group " + group, e)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new CommBusException(ErrorCode.UNAVAILABLE, "group " + group
                + "'s lease is held by another member"));
          }
          Held lease = new Held(group, rows.iterator().next().getLong(0));
          lease.renewed(askedAt);
          return Future.succeededFuture(lease);
        });
  }

  private CommBusException storage(String what, Throwable cause) {
    return new CommBusException(ErrorCode.STORAGE, what + " (PostgreSQL at " + connect.getHost() + ":"
        + connect.getPort() + "): " + cause.getMessage(), cause);
  }

  public Future<Void> close() {
    return pool.close();
  }

  /**
   * A lease this member holds; renewed on a timer until lost or released. Whether it is still
   * held is judged by this side's clock from when the last successful renewal was sent (the row
   * expires no sooner), so a renewal that hangs cannot keep a holder dispatching past the
   * moment another may take the group.
   */
  private final class Held implements DispatchLease {
    private final String group;
    private final long token;
    private final Promise<Void> lost = Promise.promise();
    private long renewTimer = -1;
    private long expiryTimer = -1;
    /** The renewal in flight, so a release runs after it and is not undone by it. */
    private Future<Void> renewing = Future.succeededFuture();

    Held(String group, long token) {
      this.group = group;
      this.token = token;
    }

    @Override
    public long token() {
      return token;
    }

    @Override
    public Future<Void> lost() {
      return lost.future();
    }

    /** A renewal (or the take) sent at {@code sentAt} succeeded: held until then plus the time to live. */
    void renewed(long sentAt) {
      if (lost.future().isComplete()) {
        return;
      }
      vertx.cancelTimer(expiryTimer);
      // A tenth short of the row's expiry: this side stops before another side may start.
      long left = timeToLive.toMillis() * 9 / 10 - (System.nanoTime() - sentAt) / 1_000_000;
      expiryTimer = vertx.setTimer(Math.max(1, left), t -> lose());
      renewTimer = vertx.setTimer(Math.max(1, timeToLive.toMillis() / 3), t -> renew());
    }

    private void lose() {
      if (lost.tryComplete()) {
        vertx.cancelTimer(renewTimer);
        vertx.cancelTimer(expiryTimer);
      }
    }

    private void renew() {
      if (lost.future().isComplete()) {
        return;
      }
      long sentAt = System.nanoTime();
      renewing = pool.preparedQuery("UPDATE " + TABLE + " SET expires_at = now() + $4::double precision * interval '1 millisecond'"
          + " WHERE group_name = $1::text AND holder = $2::text AND token = $3::bigint")
          .execute(Tuple.of(group, holder, token, timeToLive.toMillis()))
          .map(rows -> {
            if (rows.rowCount() == 1) {
              renewed(sentAt);
            } else {
              lose();   // another member took it over
            }
            return (Void) null;
          })
          .recover(e -> {
            // Unanswered: try again; the expiry timer ends the lease if no renewal gets through in time.
            if (!lost.future().isComplete()) {
              renewTimer = vertx.setTimer(Math.max(1, timeToLive.toMillis() / 10), t -> renew());
            }
            return Future.succeededFuture();
          });
    }

    @Override
    public Future<Void> release() {
      if (lost.future().isComplete()) {
        return Future.succeededFuture();
      }
      lose();
      // Expired rather than deleted, and after any renewal in flight, which would otherwise extend it again.
      return renewing.eventually(() -> pool.preparedQuery("UPDATE " + TABLE
          + " SET expires_at = now() - interval '1 millisecond'"
          + " WHERE group_name = $1::text AND holder = $2::text AND token = $3::bigint")
          .execute(Tuple.of(group, holder, token)))
          .<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }
  }
}
