package io.commbus.node;

import io.commbus.bus.CommBus;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.process.PoolOptions;
import io.commbus.process.PoolService;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.PythonProcessConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One pool of Python workers the node runs: the pool (name, bus type, size), the worker
 * (module, function, interpreter, path, environment, callbacks, limits) and whether it serves
 * as a coordinator service.
 */
public final class PoolConfig {

  private PoolOptions pool = new PoolOptions();
  private PythonProcessConfig worker = new PythonProcessConfig();
  private boolean serveAsService;
  private List<String> capabilities = new ArrayList<>();
  private String version = "1.0.0";
  private Duration heartbeatInterval = Duration.ofSeconds(2);

  public PoolOptions getPool() {
    return pool;
  }

  public PoolConfig setPool(PoolOptions pool) {
    this.pool = Objects.requireNonNull(pool, "pool");
    return this;
  }

  public PythonProcessConfig getWorker() {
    return worker;
  }

  public PoolConfig setWorker(PythonProcessConfig worker) {
    this.worker = Objects.requireNonNull(worker, "worker");
    return this;
  }

  /** Whether the pool registers in the coordinator's registry and takes dispatches; default false. */
  public boolean isServeAsService() {
    return serveAsService;
  }

  public PoolConfig setServeAsService(boolean serveAsService) {
    this.serveAsService = serveAsService;
    return this;
  }

  /** What the service can do, as listed in the registry. */
  public List<String> getCapabilities() {
    return capabilities;
  }

  public PoolConfig setCapabilities(List<String> capabilities) {
    this.capabilities = new ArrayList<>(capabilities);
    return this;
  }

  /** The service's version in the registry; default 1.0.0. */
  public String getVersion() {
    return version;
  }

  public PoolConfig setVersion(String version) {
    this.version = Objects.requireNonNull(version, "version");
    return this;
  }

  /** How often the service heartbeats while a child is ready; default 2 s. */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public PoolConfig setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    return this;
  }

  /** The verticle that runs this pool, serving as a service when configured and a coordinator is given. */
  ProcessVerticle verticle(CommBus bus, CommBusCoordinatorVerticle coordinator) {
    ProcessVerticle verticle = ProcessVerticle.python(bus, pool, worker);
    if (serveAsService && coordinator != null) {
      verticle.serveAs(new PoolService(coordinator).setCapabilities(capabilities).setVersion(version)
          .setHeartbeatInterval(heartbeatInterval));
    }
    return verticle;
  }
}
