package io.commbus.node.pools;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a process pool appears as a coordinator service: what it can do, its version, and how
 * often it tells the registry it is alive. The one place these defaults and bounds are stated;
 * the node's configuration is read through {@link #readFrom}.
 */
public class PoolServiceOptions {

  private List<String> capabilities = new ArrayList<>();
  private String version = "1.0.0";
  private Duration heartbeatInterval = Duration.ofSeconds(2);

  /** What the service can do, as listed in the registry; default none. */
  public List<String> getCapabilities() {
    return capabilities;
  }

  public PoolServiceOptions setCapabilities(List<String> capabilities) {
    this.capabilities = new ArrayList<>(capabilities);
    return this;
  }

  /** The service's version in the registry; default 1.0.0. */
  public String getVersion() {
    return version;
  }

  public PoolServiceOptions setVersion(String version) {
    this.version = Objects.requireNonNull(version, "version");
    return this;
  }

  /** How often a pool with a ready child heartbeats; keep it well under the registry's TTL. Default 2 s. */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public PoolServiceOptions setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = Check.positive("heartbeatInterval", heartbeatInterval);
    return this;
  }

  /**
   * Takes the settings {@code section} holds: {@code capabilities}, {@code version} and
   * {@code heartbeatInterval}; the others keep their values.
   */
  public PoolServiceOptions readFrom(ConfigSection section) {
    section.applyStrings("capabilities", this::setCapabilities);
    section.applyString("version", this::setVersion);
    section.applyDuration("heartbeatInterval", this::setHeartbeatInterval);
    return this;
  }
}
