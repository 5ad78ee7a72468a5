package io.commbus.node.pools;

import io.commbus.bus.Registration;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.ServiceDescriptor;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.pool.PoolStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Serves process pools as coordinator services: each is registered under its name with service
 * type {@value #SERVICE_TYPE}, takes {@code dispatch} on this node and others, and is healthy
 * while at least one of its children is ready (it heartbeats only then, so the registry's TTL
 * turns a pool with no ready child unhealthy). A pool leaves the registry when it stops, before
 * its children do, or when {@link #stopAll()} is called.
 */
public final class PoolServices {

  /** The service type pools register under. */
  public static final String SERVICE_TYPE = "process-pool";

  private static final System.Logger LOG = System.getLogger(PoolServices.class.getName());

  private final Vertx vertx;
  private final CommBusCoordinatorVerticle coordinator;
  private final List<Served> served = new CopyOnWriteArrayList<>();

  public PoolServices(Vertx vertx, CommBusCoordinatorVerticle coordinator) {
    this.vertx = vertx;
    this.coordinator = coordinator;
  }

  /**
   * Registers a deployed pool as a service. Fails with an IllegalStateException for a pool
   * whose children answer with streams, since dispatch expects one reply.
   */
  public Future<Void> serve(ProcessVerticle pool, PoolServiceOptions options) {
    return pool.status().compose(status -> {
      if (status.streams()) {
        return Future.failedFuture(new IllegalStateException("pool " + pool.name() + " streams its replies, and "
            + "coordinator dispatch expects one reply: serve it without a coordinator service"));
      }
      Served service = new Served(pool, options);
      return service.register(status)
          .recover(failure -> service.releaseHandler().transform(released -> Future.<Void>failedFuture(failure)))
          .onSuccess(v -> {
            served.add(service);
            pool.onStop(() -> service.unregister());
          });
    });
  }

  /** Takes every pool served here out of the registry. */
  public Future<Void> stopAll() {
    return Future.join(served.stream().map(Served::unregister).toList()).mapEmpty();
  }

  private static Map<String, String> metadata(PoolStatus status, JsonObject entry) {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("type", status.type());
    metadata.put("size", Integer.toString(status.size()));
    if (status.handlerKind() != null) {
      metadata.put("kind", status.handlerKind().wireName());
    }
    for (String name : entry.fieldNames()) {
      metadata.put(name, String.valueOf(entry.getValue(name)));
    }
    return metadata;
  }

  /** One pool in the registry: its dispatch handler and its heartbeats. */
  private final class Served {
    final ProcessVerticle pool;
    final PoolServiceOptions options;
    Registration handler;
    long heartbeatTimer = -1;
    Future<Void> unregistered;

    Served(ProcessVerticle pool, PoolServiceOptions options) {
      this.pool = pool;
      this.options = options;
    }

    Future<Void> register(PoolStatus status) {
      ServiceDescriptor descriptor = ServiceDescriptor.of(pool.name(), SERVICE_TYPE)
          .withVersion(options.getVersion()).withCapabilities(options.getCapabilities())
          .withMaxConcurrent(status.capacity()).withMetadata(metadata(status, pool.entry()));
      return coordinator.registerHandler(pool.name(), pool::request)
          .compose(r -> {
            handler = r;
            return coordinator.registerService(descriptor);
          })
          .map(added -> {
            // false: the registry already knows the name (a restarted node); the heartbeat marks it healthy.
            heartbeat();
            heartbeatTimer = vertx.setPeriodic(options.getHeartbeatInterval().toMillis(), t -> heartbeat());
            return null;
          });
    }

    /** After a failed registration: the dispatch handler, if it was registered, goes too. */
    Future<Void> releaseHandler() {
      return handler == null ? Future.succeededFuture() : handler.unregister();
    }

    /** Heartbeats only while a child can serve. */
    void heartbeat() {
      pool.status().onSuccess(status -> {
        if (status.healthy()) {
          coordinator.heartbeat(pool.name());
        }
      });
    }

    synchronized Future<Void> unregister() {
      if (unregistered == null) {
        vertx.cancelTimer(heartbeatTimer);
        unregistered = handler.unregister()
            .compose(v -> coordinator.unregisterService(pool.name()).<Void>mapEmpty(), e -> Future.succeededFuture())
            .recover(e -> {
              LOG.log(System.Logger.Level.WARNING, "pool " + pool.name() + " could not unregister its service: "
                  + e.getMessage());
              return Future.succeededFuture();
            });
      }
      return unregistered;
    }
  }
}
