package io.commbus.node.config;

import io.commbus.node.pools.PoolServiceOptions;
import io.commbus.process.PoolOptions;
import io.commbus.process.PythonProcessConfig;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One pool of Python workers the node runs: the pool (name, bus type, size), the worker
 * (module, function, interpreter, path, environment, callbacks, limits) and whether it serves
 * as a coordinator service, and how.
 */
public final class PoolConfig {

  private PoolOptions pool = new PoolOptions();
  private PythonProcessConfig worker = new PythonProcessConfig();
  private boolean serveAsService;
  private final PoolServiceOptions service = new PoolServiceOptions();
  private String requestType;
  private String replyType;

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

  /**
   * The Java class (a name on the node's class path) of the requests the pool's children take,
   * for the typed Python stubs of {@code commbus stubs}; null: any JSON.
   */
  public String getRequestType() {
    return requestType;
  }

  public PoolConfig setRequestType(String requestType) {
    this.requestType = requestType;
    return this;
  }

  /** The Java class of the replies the pool's children give, for the stubs; null: any JSON. */
  public String getReplyType() {
    return replyType;
  }

  public PoolConfig setReplyType(String replyType) {
    this.replyType = replyType;
    return this;
  }

  /** How the pool appears as a service, when it serves as one; set its fields here. */
  public PoolServiceOptions getService() {
    return service;
  }

  /** What the service can do, as listed in the registry. */
  public List<String> getCapabilities() {
    return service.getCapabilities();
  }

  /** The service's version in the registry. */
  public String getVersion() {
    return service.getVersion();
  }

  /** How often the service heartbeats while a child is ready. */
  public Duration getHeartbeatInterval() {
    return service.getHeartbeatInterval();
  }
}
