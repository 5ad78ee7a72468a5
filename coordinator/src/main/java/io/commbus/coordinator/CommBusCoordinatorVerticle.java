package io.commbus.coordinator;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator: the service registry and dispatch to services, on a bus with a journal.
 * Deploy it like any verticle; every node of a cluster may run one, and they share one view
 * of the services through the journal.
 *
 * <pre>{@code
 * CommBusCoordinatorVerticle coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions());
 * vertx.deployVerticle(coordinator).await();
 * coordinator.registerService(ServiceDescriptor.of("flow_service", "flow"));
 * }</pre>
 */
public final class CommBusCoordinatorVerticle extends VerticleBase {

  private final CommBus bus;
  private final CoordinatorOptions options;
  private ServiceRegistry registry;
  private Dispatcher dispatcher;

  public CommBusCoordinatorVerticle(CommBus bus, CoordinatorOptions options) {
    this.bus = bus;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    return ServiceRegistry.start(vertx, bus, options.getRegistry()).map(started -> {
      registry = started;
      dispatcher = new Dispatcher(vertx, bus, registry, options.getDispatcher());
      return null;
    });
  }

  @Override
  public Future<?> stop() {
    return registry == null ? Future.succeededFuture() : registry.stop();
  }

  // ------------------------------------------------------------------ registry

  /** False if a service of that name is already registered. */
  public Future<Boolean> registerService(ServiceDescriptor service) {
    return registry.registerService(service);
  }

  public Future<Boolean> unregisterService(String name) {
    return registry.unregisterService(name);
  }

  /** The service, with its current load on this node. */
  public Optional<ServiceDescriptor> getService(String name) {
    return registry.getService(name).map(s -> s.withCurrentLoad(dispatcher.load(name)));
  }

  /** Services of a type (null: any), healthy ones only if asked, with their load on this node. */
  public List<ServiceDescriptor> listServices(String serviceType, boolean healthyOnly) {
    return registry.listServices(serviceType, healthyOnly).stream()
        .map(s -> s.withCurrentLoad(dispatcher.load(s.name()))).toList();
  }

  public void heartbeat(String serviceName) {
    registry.heartbeat(serviceName);
  }

  // ------------------------------------------------------------------ dispatch

  /** Serves a service from this node (and through the event bus, for other nodes). */
  public <R> Future<Registration> registerHandler(String serviceName, MessageHandler<Message, R> handler) {
    return dispatcher.registerHandler(serviceName, handler);
  }

  public Future<Message> dispatch(DispatchTarget target, Message envelope) {
    return dispatcher.dispatch(target, envelope);
  }

  /**
   * Asks a service and answers {@code {"result": ...}} or {@code {"error": ..., "code": ...}}:
   * the seed design's request, which never fails its future.
   */
  public Future<JsonObject> request(String serviceName, String queryType, JsonObject payload, Duration timeout) {
    DispatchTarget target = new DispatchTarget(serviceName, queryType).timeout(timeout).maxRetries(0);
    return dispatcher.dispatch(target, Message.query(queryType, payload)).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture(new JsonObject().put("result", ar.result().body()));
      }
      CommBusException error = CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL);
      return Future.succeededFuture(new JsonObject().put("error", error.getMessage()).put("code", error.code().name()));
    });
  }

  // ------------------------------------------------------------------ events and queries

  /** Publishes an untyped event to every subscriber (journaled). */
  public Future<Long> broadcast(String eventType, JsonObject payload) {
    return bus.publish(Message.event(eventType, payload));
  }

  /** Publishes a typed event (journaled). */
  public Future<Long> publishEvent(Object event) {
    return bus.publish(event);
  }

  public Future<Message> sendQuery(Message query, Duration timeout) {
    return bus.query(query, timeout);
  }

  public Registration subscribe(String eventType, Handler<Message> handler) {
    return bus.subscribe(eventType, handler);
  }

  public <R> Future<Registration> registerQueryHandler(String queryType, MessageHandler<Message, R> handler) {
    return bus.registerHandler(queryType, handler);
  }

  // ------------------------------------------------------------------ introspection

  /** {@code {"services": n, "healthy": n, "load": {name: n}, "queued": {name: n}}} on this node. */
  public JsonObject metrics() {
    JsonObject load = new JsonObject();
    JsonObject queued = new JsonObject();
    List<ServiceDescriptor> all = registry.listServices(null, false);
    for (ServiceDescriptor service : all) {
      load.put(service.name(), dispatcher.load(service.name()));
      queued.put(service.name(), dispatcher.queued(service.name()));
    }
    return new JsonObject()
        .put("services", all.size())
        .put("healthy", all.stream().filter(ServiceDescriptor::healthy).count())
        .put("load", load)
        .put("queued", queued);
  }
}
