package io.commbus.bus.journal;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** A durable consumer group: its name, the event types it consumes, and how it retries. */
public final class ConsumerGroupOptions {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  private final String name;
  private final CheckpointStore checkpoints;
  private Set<String> types = Set.of();
  private int maxAttempts = 5;
  private Duration initialBackoff = Duration.ofMillis(100);
  private Duration maxBackoff = Duration.ofSeconds(10);
  private int maxInFlight = 64;
  private Duration handlerTimeout = Duration.ofSeconds(30);

  /** A group named {@code name} (letters, digits, {@code . _ -}) keeping its checkpoint in {@code checkpoints}. */
  public ConsumerGroupOptions(String name, CheckpointStore checkpoints) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a group name is 1 to 100 letters, digits, '.', '_' or '-', was '" + name + "'");
    }
    this.name = name;
    this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
  }

  public String getName() {
    return name;
  }

  public CheckpointStore getCheckpoints() {
    return checkpoints;
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
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    return this;
  }

  /** Wait before the first retry; doubles each time up to {@link #getMaxBackoff()} (default 100 ms). */
  public Duration getInitialBackoff() {
    return initialBackoff;
  }

  public ConsumerGroupOptions setInitialBackoff(Duration initialBackoff) {
    this.initialBackoff = Objects.requireNonNull(initialBackoff, "initialBackoff");
    return this;
  }

  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public ConsumerGroupOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    return this;
  }

  /** Events handed out and not yet acknowledged, across all members (default 64). */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  public ConsumerGroupOptions setMaxInFlight(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    return this;
  }

  /** How long a member may take to acknowledge an event before it counts as failed (default 30 s). */
  public Duration getHandlerTimeout() {
    return handlerTimeout;
  }

  public ConsumerGroupOptions setHandlerTimeout(Duration handlerTimeout) {
    this.handlerTimeout = Objects.requireNonNull(handlerTimeout, "handlerTimeout");
    return this;
  }

  /** The journal type under which this group's dead letters are stored. */
  public String deadLetterType() {
    return "commbus.dead-letter." + name;
  }
}
