package io.commbus.adapter.postgres;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.vertx.pgclient.PgConnectOptions;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the PostgreSQL journal; every one has a default. The defaults reach a local
 * server over loopback ({@code postgres@127.0.0.1:5432/test}, no password).
 *
 * <p>There is no deduplication window: idempotency rests on a UNIQUE constraint on the event
 * id, so an event id is recognised for as long as its record is stored, by every node.
 */
public final class PostgresJournalOptions {

  /** Lower-case so PostgreSQL never folds it; short enough for the {@code _head} and index suffixes. */
  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  public static final String DEFAULT_TABLE = "commbus_journal";
  /** More connections than this would only queue on the server. */
  public static final int MAX_POOL_SIZE = 1000;
  /** The most appends one transaction may carry; bigger batches only lengthen the tail latency. */
  public static final int MAX_BATCH = 100_000;

  private PgConnectOptions connect = defaultConnectOptions();
  private String table = DEFAULT_TABLE;
  private int poolSize = 4;
  private int maxBatch = 512;
  private Duration listenRetryDelay = Duration.ofSeconds(1);

  public PostgresJournalOptions() {
  }

  public PostgresJournalOptions(PostgresJournalOptions other) {
    this.connect = new PgConnectOptions(other.connect);
    this.table = other.table;
    this.poolSize = other.poolSize;
    this.maxBatch = other.maxBatch;
    this.listenRetryDelay = other.listenRetryDelay;
  }

  private static PgConnectOptions defaultConnectOptions() {
    // PgConnectOptions' own defaults (localhost, "db", "user", "pass") suit no real server.
    return new PgConnectOptions()
        .setHost("127.0.0.1")
        .setPort(5432)
        .setDatabase("test")
        .setUser("postgres")
        .setPassword("");   // none: the driver wants a non-null value, and trust auth never asks
  }

  /** Where the server is and how to log in (default {@code postgres@127.0.0.1:5432/test}, no password). */
  public PgConnectOptions getConnect() {
    return connect;
  }

  public PostgresJournalOptions setConnect(PgConnectOptions connect) {
    this.connect = Objects.requireNonNull(connect, "connect");
    return this;
  }

  /**
   * The journal table (default {@code commbus_journal}); {@code <table>_head} holds the last
   * position and {@code <table>} is also the NOTIFY channel. Lower-case letters, digits and
   * underscores, at most 48 characters, because the name is written into SQL.
   */
  public String getTable() {
    return table;
  }

  public PostgresJournalOptions setTable(String table) {
    if (table == null || !TABLE_NAME.matcher(table).matches()) {
      throw new InvalidSettingException("table", "must be 1 to 48 of a-z, 0-9 and _, not starting with a digit;"
          + " was \"" + table + "\"");
    }
    this.table = table;
    return this;
  }

  /** Connections for appends and reads (default 4); the LISTEN connection comes on top. */
  public int getPoolSize() {
    return poolSize;
  }

  public PostgresJournalOptions setPoolSize(int poolSize) {
    this.poolSize = Check.between("poolSize", poolSize, 1, MAX_POOL_SIZE);
    return this;
  }

  /** The most waiting appends that share one transaction (default 512). */
  public int getMaxBatch() {
    return maxBatch;
  }

  public PostgresJournalOptions setMaxBatch(int maxBatch) {
    this.maxBatch = Check.between("maxBatch", maxBatch, 1, MAX_BATCH);
    return this;
  }

  /** How long to wait before re-opening a lost LISTEN connection (default 1 s). */
  public Duration getListenRetryDelay() {
    return listenRetryDelay;
  }

  public PostgresJournalOptions setListenRetryDelay(Duration listenRetryDelay) {
    Objects.requireNonNull(listenRetryDelay, "listenRetryDelay");
    if (listenRetryDelay.toMillis() < 1) {
      throw new IllegalArgumentException("listenRetryDelay must be at least 1 ms, was " + listenRetryDelay);
    }
    this.listenRetryDelay = listenRetryDelay;
    return this;
  }

  /**
   * Takes the settings {@code section} holds: the connection ({@code host}, {@code port},
   * {@code database}, {@code user}, {@code password}), {@code table}, {@code poolSize} and
   * {@code maxBatch}.
   */
  public PostgresJournalOptions readFrom(ConfigSection section) {
    section.applyString("host", connect::setHost);
    section.applyInt("port", port -> connect.setPort(Check.between("port", port, 1, 65535)));
    section.applyString("database", connect::setDatabase);
    section.applyString("user", connect::setUser);
    section.applyString("password", connect::setPassword);
    section.applyString("table", this::setTable);
    section.applyInt("poolSize", this::setPoolSize);
    section.applyInt("maxBatch", this::setMaxBatch);
    return this;
  }

  /** {@code host:port}, for error messages. */
  String where() {
    return connect.getHost() + ":" + connect.getPort();
  }
}
