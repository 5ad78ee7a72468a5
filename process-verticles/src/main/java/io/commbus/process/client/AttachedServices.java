package io.commbus.process.client;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.Serving;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The types this node's clients serve ({@code serve} calls), one {@link AttachedService} each,
 * registered on a bus of their own beside the node's: a pool of children may serve the same type
 * on the same node, and the event bus takes turns between them. Runs on the endpoint's context only.
 */
final class AttachedServices implements Serving {

  private final CommBus bus;
  private final CommBus nodeBus;
  private final GroupStores groups;
  private final Context context;
  private final ClientEndpointOptions options;
  private final Map<String, AttachedService> services = new HashMap<>();
  private final Map<String, Future<AttachedService>> registering = new HashMap<>();
  /** Group memberships of clients, until they leave: the endpoint's stop waits for them to be left. */
  private final Set<Registration> memberships = new HashSet<>();

  /**
   * @param bus     the bus served types are registered on
   * @param nodeBus the node's bus, whose journal consumer groups follow
   * @param groups  where groups keep checkpoints; null: clients may not join groups here
   */
  AttachedServices(CommBus bus, CommBus nodeBus, GroupStores groups, Context context, ClientEndpointOptions options) {
    this.bus = bus;
    this.nodeBus = nodeBus;
    this.groups = groups;
    this.context = context;
    this.options = options;
  }

  @Override
  public Future<Runnable> attach(String type, HandlerKind kind, int concurrency, Worker worker) {
    return service(type, kind).map(service -> {
      Runnable detach = service.attach(worker, concurrency);
      return () -> {
        detach.run();
        if (service.isEmpty() && services.remove(type, service)) {
          service.close();
        }
      };
    });
  }

  @Override
  public Future<Runnable> joinGroup(String group, Set<String> types, int concurrency, Worker worker) {
    if (groups == null) {
      return Future.failedFuture(CommBusException.of(ErrorCode.REJECTED, "this node keeps no consumer group "
          + "checkpoints for clients"));
    }
    ConsumerGroupOptions options;
    try {
      options = new ConsumerGroupOptions(group, groups.checkpoints()).setLeases(groups.leases()).setTypes(types)
          .setMaxInFlight(concurrency);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(CommBusException.of(ErrorCode.INVALID_MESSAGE, e.getMessage()));
    }
    long timeout = options.getHandlerTimeout().toMillis();
    return nodeBus.joinGroup(options, (Message event) -> {
      Promise<Object> handled = Promise.promise();
      worker.request(new GroupDelivery(group, event, handled, timeout));
      return handled.future();
    }).map(membership -> {
      memberships.add(membership);
      return () -> {
        if (memberships.remove(membership)) {
          membership.unregister();
        }
      };
    });
  }

  private Future<AttachedService> service(String type, HandlerKind kind) {
    AttachedService existing = services.get(type);
    if (existing != null) {
      return sameKind(existing, type, kind);
    }
    Future<AttachedService> pending = registering.get(type);
    if (pending != null) {
      return pending.compose(service -> sameKind(service, type, kind));
    }
    AttachedService service = new AttachedService(type, kind, context, options);
    Future<Registration> registration = kind.streams()
        ? bus.registerStreamHandler(type, service::stream)
        : bus.registerHandler(type, service::request);
    Future<AttachedService> registered = registration.map(r -> {
      service.registered(r);
      services.put(type, service);
      return service;
    }).andThen(ar -> registering.remove(type));
    registering.put(type, registered);
    return registered;
  }

  private static Future<AttachedService> sameKind(AttachedService service, String type, HandlerKind kind) {
    if (service.kind() != kind) {
      return Future.failedFuture(CommBusException.of(ErrorCode.REJECTED, type + " is served here by "
          + service.kind().wireName() + " handlers, and a " + kind.wireName() + " handler cannot join them"));
    }
    return Future.succeededFuture(service);
  }

  /** Each served type: its clients, requests in flight and waiting. */
  JsonObject describe() {
    JsonObject served = new JsonObject();
    services.forEach((type, service) -> served.put(type, new JsonObject().put("kind", service.kind().wireName())
        .put("clients", service.clients()).put("inFlight", service.inFlight()).put("queued", service.queued())));
    return served;
  }

  /** Unregisters every served type and leaves every group, once each has saved what it must. */
  Future<Void> closeAll() {
    List<Future<?>> closing = new ArrayList<>();
    services.values().forEach(service -> closing.add(service.close()));
    services.clear();
    memberships.forEach(membership -> closing.add(membership.unregister()));
    memberships.clear();
    return Future.join(closing).mapEmpty();
  }
}
