package io.commbus.coordinator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Settings of the dispatcher; every one has a default. */
public final class DispatcherOptions {

  private int queueCapacity = 1000;
  private Duration baseBackoff = Duration.ofMillis(50);
  private Duration maxBackoff = Duration.ofSeconds(5);
  private List<ServiceAdapter> adapters = new ArrayList<>();

  /** Requests of one service that may wait for a slot before OVERLOADED (default 1000). */
  public int getQueueCapacity() {
    return queueCapacity;
  }

  public DispatcherOptions setQueueCapacity(int queueCapacity) {
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queueCapacity must not be negative, was " + queueCapacity);
    }
    this.queueCapacity = queueCapacity;
    return this;
  }

  /** The first retry's backoff before jitter; it doubles each retry (default 50 ms). */
  public Duration getBaseBackoff() {
    return baseBackoff;
  }

  public DispatcherOptions setBaseBackoff(Duration baseBackoff) {
    this.baseBackoff = Objects.requireNonNull(baseBackoff, "baseBackoff");
    return this;
  }

  /** The longest backoff before jitter (default 5 s). */
  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public DispatcherOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    return this;
  }

  /** Adapters asked, in order, when no handler on the bus serves a service (default none). */
  public List<ServiceAdapter> getAdapters() {
    return adapters;
  }

  public DispatcherOptions addAdapter(ServiceAdapter adapter) {
    adapters.add(Objects.requireNonNull(adapter, "adapter"));
    return this;
  }

  public DispatcherOptions setAdapters(List<ServiceAdapter> adapters) {
    this.adapters = new ArrayList<>(adapters);
    return this;
  }
}
