package io.commbus.coordinator;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;

import java.time.Duration;

/** How the registry judges health: services send heartbeats; a missed time-to-live marks them unhealthy. */
public final class RegistryOptions {

  private Duration heartbeatTtl = Duration.ofSeconds(10);
  private Duration checkInterval = Duration.ofSeconds(1);
  private ClusterSight clusterSight;

  public RegistryOptions() {
  }

  /** A copy of {@code other}. */
  public RegistryOptions(RegistryOptions other) {
    this.heartbeatTtl = other.heartbeatTtl;
    this.checkInterval = other.checkInterval;
    this.clusterSight = other.clusterSight;
  }

  /** A service is unhealthy once no heartbeat came for this long (default 10 s). */
  public Duration getHeartbeatTtl() {
    return heartbeatTtl;
  }

  public RegistryOptions setHeartbeatTtl(Duration heartbeatTtl) {
    this.heartbeatTtl = Check.positive("heartbeatTtl", heartbeatTtl);
    return this;
  }

  /** How often each node checks for expired heartbeats (default 1 s). */
  public Duration getCheckInterval() {
    return checkInterval;
  }

  public RegistryOptions setCheckInterval(Duration checkInterval) {
    this.checkInterval = Check.positive("checkInterval", checkInterval);
    return this;
  }

  /**
   * What the registry knows of the cluster, to decide who writes each service's health (default
   * null: what Vert.x's cluster manager knows, {@link ClusterSight#of}, which has no quorum to
   * judge by). A clustered node passes its {@code Cluster}'s.
   */
  public ClusterSight getClusterSight() {
    return clusterSight;
  }

  public RegistryOptions setClusterSight(ClusterSight clusterSight) {
    this.clusterSight = clusterSight;
    return this;
  }

  /** Takes the settings {@code section} holds ({@code heartbeatTtl}, {@code checkInterval}). */
  public RegistryOptions readFrom(ConfigSection section) {
    section.applyDuration("heartbeatTtl", this::setHeartbeatTtl);
    section.applyDuration("checkInterval", this::setCheckInterval);
    return this;
  }
}
