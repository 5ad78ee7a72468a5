package io.commbus.coordinator;

import java.time.Duration;
import java.util.Objects;

/** How the registry judges health: services send heartbeats; a missed time-to-live marks them unhealthy. */
public final class RegistryOptions {

  private Duration heartbeatTtl = Duration.ofSeconds(10);
  private Duration checkInterval = Duration.ofSeconds(1);

  /** A service is unhealthy once no heartbeat came for this long (default 10 s). */
  public Duration getHeartbeatTtl() {
    return heartbeatTtl;
  }

  public RegistryOptions setHeartbeatTtl(Duration heartbeatTtl) {
    this.heartbeatTtl = positive(heartbeatTtl, "heartbeatTtl");
    return this;
  }

  /** How often each node checks for expired heartbeats (default 1 s). */
  public Duration getCheckInterval() {
    return checkInterval;
  }

  public RegistryOptions setCheckInterval(Duration checkInterval) {
    this.checkInterval = positive(checkInterval, "checkInterval");
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
