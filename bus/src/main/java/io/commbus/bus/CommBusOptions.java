package io.commbus.bus;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;

import java.time.Duration;

/** Settings of a {@link CommBus}; every setting has a default. */
public final class CommBusOptions {

  /** Default time a query waits for its reply. */
  public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(30);
  /** Default number of stream items in flight before the producer waits for credit. */
  public static final int DEFAULT_STREAM_WINDOW = 64;
  /** The largest stream window: beyond it a consumer's buffer could outgrow any sensible heap. */
  public static final int MAX_STREAM_WINDOW = 1 << 20;
  /**
   * The longest any call may wait, whoever asks (these options, a caller's own timeout, the
   * admin API's {@code timeoutMs}, the command line's {@code --timeout}): a request/reply
   * exchange held longer is a mistake, and holds its caller's connection and memory meanwhile.
   */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  private Duration queryTimeout = DEFAULT_QUERY_TIMEOUT;
  private Duration sendTimeout = DEFAULT_QUERY_TIMEOUT;
  private Duration streamIdleTimeout;
  private int streamWindow = DEFAULT_STREAM_WINDOW;
  private OpenTelemetry openTelemetry;
  private io.commbus.bus.journal.EventJournal journal;
  private Membership membership;

  public CommBusOptions() {
  }

  public CommBusOptions(CommBusOptions other) {
    this.queryTimeout = other.queryTimeout;
    this.sendTimeout = other.sendTimeout;
    this.streamIdleTimeout = other.streamIdleTimeout;
    this.streamWindow = other.streamWindow;
    this.openTelemetry = other.openTelemetry;
    this.journal = other.journal;
    this.membership = other.membership;
  }

  /** How long {@code query} waits for a reply unless the call says otherwise (default 30 s, at most {@link #MAX_TIMEOUT}). */
  public Duration getQueryTimeout() {
    return queryTimeout;
  }

  public CommBusOptions setQueryTimeout(Duration queryTimeout) {
    this.queryTimeout = Check.positive("queryTimeout", queryTimeout, MAX_TIMEOUT);
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
    this.sendTimeout = Check.positive("sendTimeout", sendTimeout, MAX_TIMEOUT);
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
    this.streamIdleTimeout = streamIdleTimeout == null ? null : Check.positive("streamIdleTimeout", streamIdleTimeout, MAX_TIMEOUT);
    return this;
  }

  /** Stream items a consumer lets the producer send ahead of its demand (default 64, at most 2^20). */
  public int getStreamWindow() {
    return streamWindow;
  }

  public CommBusOptions setStreamWindow(int streamWindow) {
    this.streamWindow = Check.between("streamWindow", streamWindow, 1, MAX_STREAM_WINDOW);
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

  /**
   * Where a clustered bus hears of members leaving; null (the default) hears of none, and a
   * call in flight to a member that left waits for its deadline. With it, such a call fails at
   * once with NODE_LEFT. Ignored on a Vert.x that is not clustered.
   */
  public Membership getMembership() {
    return membership;
  }

  public CommBusOptions setMembership(Membership membership) {
    this.membership = membership;
    return this;
  }

  /**
   * Takes the settings {@code section} holds ({@code queryTimeout}, {@code sendTimeout},
   * {@code streamIdleTimeout}, {@code streamWindow}); the others keep their values. A bad value
   * is a {@link io.commbus.bus.config.ConfigException} naming its field.
   */
  public CommBusOptions readFrom(ConfigSection section) {
    section.applyDuration("queryTimeout", this::setQueryTimeout);
    section.applyDuration("sendTimeout", this::setSendTimeout);
    section.applyDuration("streamIdleTimeout", this::setStreamIdleTimeout);
    section.applyInt("streamWindow", this::setStreamWindow);
    return this;
  }
}
