package io.commbus.process;

import io.commbus.coordinator.CommBusCoordinatorVerticle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Makes a pool a coordinator service: registered under the pool's name with service type
 * {@code process-pool}, served for {@code dispatch} on this node and others, and healthy
 * while at least one of its children is ready (it heartbeats only then).
 */
public class PoolService {

  /** The service type pools register under. */
  public static final String SERVICE_TYPE = "process-pool";

  private final CommBusCoordinatorVerticle coordinator;
  private List<String> capabilities = new ArrayList<>();
  private String version = "1.0.0";
  private Duration heartbeatInterval = Duration.ofSeconds(2);

  public PoolService(CommBusCoordinatorVerticle coordinator) {
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
  }

  public CommBusCoordinatorVerticle getCoordinator() {
    return coordinator;
  }

  /** What the service can do, as listed in the registry. */
  public List<String> getCapabilities() {
    return capabilities;
  }

  public PoolService setCapabilities(List<String> capabilities) {
    this.capabilities = new ArrayList<>(capabilities);
    return this;
  }

  public String getVersion() {
    return version;
  }

  public PoolService setVersion(String version) {
    this.version = Objects.requireNonNull(version, "version");
    return this;
  }

  /** How often a pool with a ready child heartbeats; keep it well under the registry's TTL. Default 2 s. */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public PoolService setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    return this;
  }
}
