package io.commbus.bus.journal;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** A durable consumer group: its name, the event types it consumes, and how it retries. */
public final class ConsumerGroupOptions {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final String name;
  private CheckpointStore checkpoints;
  private DispatchLeases leases;
  private Set<String> types = Set.of();
  private int maxAttempts = 5;
  private Duration initialBackoff = Duration.ofMillis(100);
  private Duration maxBackoff = Duration.ofSeconds(10);
  private int maxInFlight = 64;
  private Duration handlerTimeout = Duration.ofSeconds(30);

  /** A group named {@code name} (letters, digits, {@code . _ -}) keeping its checkpoint in {@code checkpoints}. */
  public ConsumerGroupOptions(String name, CheckpointStore checkpoints) {
    this(name);
    setCheckpoints(checkpoints);
  }

  /**
   * A group named {@code name} whose checkpoint store is set later ({@link #setCheckpoints}),
   * by whoever owns the journal, as a node does for the groups its configuration declares.
   */
  public ConsumerGroupOptions(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidSettingException("name", "a group name is 1 to 100 letters, digits, '.', '_' or '-', was '"
          + name + "'");
    }
    this.name = name;
  }

  public String getName() {
    return name;
  }

  /** Where the group keeps its checkpoint; null until set, and a group cannot be joined without one. */
  public CheckpointStore getCheckpoints() {
    return checkpoints;
  }

  public ConsumerGroupOptions setCheckpoints(CheckpointStore checkpoints) {
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
    return this;
  }

  /** Who may dispatch the group; null (the default): a Vert.x shared-data lock, cluster-wide when clustered. */
  public DispatchLeases getLeases() {
    return leases;
  }

  public ConsumerGroupOptions setLeases(DispatchLeases leases) {
    this.leases = leases;
    return this;
  }

  /** The event types the group consumes; empty (the default) means every type. */
  public Set<String> getTypes() {
    return types;
  }

  public ConsumerGroupOptions setTypes(Set<String> types) {
    this.types = Set.copyOf(types);
    return this;
  }

  /** Attempts per event before it is parked in the dead-letter stream (default 5). */
  public int getMaxAttempts() {
    return maxAttempts;
  }

  public ConsumerGroupOptions setMaxAttempts(int maxAttempts) {
    this.maxAttempts = Check.atLeast("maxAttempts", maxAttempts, 1);
    return this;
  }

  /** Wait before the first retry; doubles each time up to {@link #getMaxBackoff()} (default 100 ms). */
  public Duration getInitialBackoff() {
    return initialBackoff;
  }

  public ConsumerGroupOptions setInitialBackoff(Duration initialBackoff) {
    this.initialBackoff = Check.positive("initialBackoff", initialBackoff);
    return this;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public ConsumerGroupOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Check.positive("maxBackoff", maxBackoff);
    return this;
  }

  /** Events handed out and not yet acknowledged, across all members (default 64). */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  public ConsumerGroupOptions setMaxInFlight(int maxInFlight) {
    this.maxInFlight = Check.atLeast("maxInFlight", maxInFlight, 1);
    return this;
  }

  /** How long a member may take to acknowledge an event before it counts as failed (default 30 s). */
  public Duration getHandlerTimeout() {
    return handlerTimeout;
  }

  public ConsumerGroupOptions setHandlerTimeout(Duration handlerTimeout) {
    this.handlerTimeout = Check.positive("handlerTimeout", handlerTimeout);
    return this;
  }

  /** The journal type under which this group's dead letters are stored. */
  public String deadLetterType() {
    return "commbus.dead-letter." + name;
  }

  /**
   * Takes the settings {@code section} has ({@code types}, {@code maxAttempts},
   * {@code initialBackoff}, {@code maxBackoff}, {@code maxInFlight}, {@code handlerTimeout});
   * the rest keep their defaults. A setting out of bounds fails naming it.
   */
  public ConsumerGroupOptions readFrom(ConfigSection section) {
    section.applyStrings("types", types -> setTypes(Set.copyOf(types)));
    section.applyInt("maxAttempts", this::setMaxAttempts);
    section.applyDuration("initialBackoff", this::setInitialBackoff);
    section.applyDuration("maxBackoff", this::setMaxBackoff);
    section.applyInt("maxInFlight", this::setMaxInFlight);
    section.applyDuration("handlerTimeout", this::setHandlerTimeout);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new ConfigException(section.field("maxBackoff"), "must not be shorter than initialBackoff ("
          + initialBackoff.toMillis() + " ms), was " + maxBackoff.toMillis() + " ms");
    }
    return this;
  }
}
