package io.commbus.coordinator;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;

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
    this.queueCapacity = Check.between("queueCapacity", queueCapacity, 0, Integer.MAX_VALUE);
    return this;
  }

  /** The first retry's backoff before jitter; it doubles each retry (default 50 ms). */
  public Duration getBaseBackoff() {
    return baseBackoff;
  }

  public DispatcherOptions setBaseBackoff(Duration baseBackoff) {
    this.baseBackoff = Check.positive("baseBackoff", baseBackoff);
    return this;
  }

  /** The longest backoff before jitter (default 5 s). */
  public Duration getMaxBackoff() {
    return maxBackoff;
  }

  public DispatcherOptions setMaxBackoff(Duration maxBackoff) {
    this.maxBackoff = Check.positive("maxBackoff", maxBackoff);
    return this;
  }

  /**
   * Takes the settings {@code section} holds ({@code queueCapacity}, {@code baseBackoff},
   * {@code maxBackoff}) and checks that the backoffs agree.
   */
  public DispatcherOptions readFrom(ConfigSection section) {
    section.applyInt("queueCapacity", this::setQueueCapacity);
    section.applyDuration("baseBackoff", this::setBaseBackoff);
    section.applyDuration("maxBackoff", this::setMaxBackoff);
    if (maxBackoff.compareTo(baseBackoff) < 0) {
      throw new ConfigException(section.field("maxBackoff"), "must not be shorter than baseBackoff");
    }
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
