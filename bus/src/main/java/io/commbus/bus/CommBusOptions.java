package io.commbus.bus;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;

import java.time.Duration;
import java.util.Objects;

/** Settings of a {@link CommBus}; every setting has a default. */
public final class CommBusOptions {

  /** Default time a query waits for its reply. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(30);
  /** Default number of stream items in flight before the producer waits for credit. */
  public static final int DEFAULT_STREAM_WINDOW = 64;

  private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
  private Duration sendTimeout = DEFAULT_QUERY_TIMEOUT;
  private Duration streamIdleTimeout;
  private int streamWindow = DEFAULT_STREAM_WINDOW;
  private OpenTelemetry openTelemetry;
  private io.commbus.bus.journal.EventJournal journal;

  public CommBusOptions() {
  }

  public CommBusOptions(CommBusOptions other) {
    this.queryTimeout = other.queryTimeout;
    this.sendTimeout = other.sendTimeout;
    this.streamIdleTimeout = other.streamIdleTimeout;
    this.streamWindow = other.streamWindow;
    this.openTelemetry = other.openTelemetry;
    this.journal = other.journal;
  }

  /** How long {@code query} waits for a reply unless the call says otherwise (default 30 s). */
  public Duration getQueryTimeout() {
    return queryTimeout;
  }

  public CommBusOptions setQueryTimeout(Duration queryTimeout) {
    this.queryTimeout = positive(queryTimeout, "queryTimeout");
    return this;
  }

  /**
   * How long {@code send} waits for the handler's node to confirm receipt (default 30 s). The
   * handler's work is not waited for.
   */
  public Duration getSendTimeout() {
    return sendTimeout;
  }

  public CommBusOptions setSendTimeout(Duration sendTimeout) {
    this.sendTimeout = positive(sendTimeout, "sendTimeout");
    return this;
  }

  /**
   * How long either end of a stream waits for the other (an item, or credit) before failing
   * the stream with TIMEOUT. Defaults to the call's query timeout.
   */
  public Duration getStreamIdleTimeout() {
    return streamIdleTimeout;
  }

  public CommBusOptions setStreamIdleTimeout(Duration streamIdleTimeout) {
    this.streamIdleTimeout = streamIdleTimeout == null ? null : positive(streamIdleTimeout, "streamIdleTimeout");
    return this;
  }

  /** Stream items a consumer lets the producer send ahead of its demand (default 64). */
  public int getStreamWindow() {
    return streamWindow;
  }

  public CommBusOptions setStreamWindow(int streamWindow) {
    if (streamWindow < 1) {
      throw new IllegalArgumentException("streamWindow must be at least 1, was " + streamWindow);
    }
    this.streamWindow = streamWindow;
    return this;
  }

  /** The OpenTelemetry instance spans are made with; defaults to {@link GlobalOpenTelemetry}. */
  public OpenTelemetry getOpenTelemetry() {
    return openTelemetry == null ? GlobalOpenTelemetry.get() : openTelemetry;
  }

  public CommBusOptions setOpenTelemetry(OpenTelemetry openTelemetry) {
    this.openTelemetry = openTelemetry;
    return this;
  }

  /**
   * The journal every published event is appended to before delivery; null (the default)
   * publishes without one. The bus does not open or close it.
   */
  public io.commbus.bus.journal.EventJournal getJournal() {
    return journal;
  }

  public CommBusOptions setJournal(io.commbus.bus.journal.EventJournal journal) {
    this.journal = journal;
    return this;
  }

  private static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
    return value;
  }
}
