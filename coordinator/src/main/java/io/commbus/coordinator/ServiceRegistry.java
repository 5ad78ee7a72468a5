package io.commbus.coordinator;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.SystemTypes;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The service registry, as a projection of registry events in the journal: a service is
 * registered, unregistered, or its health changed. Every node folds the same events in the
 * same order, so every node of a cluster converges on the same view, and a restarted node
 * rebuilds it by replay.
 *
 * <p>Health comes from heartbeats, which are not journaled: they travel on the event bus to
 * every node. One node decides each service's health: the node that registered it, while that
 * node is in the cluster; once it has left, the node that {@linkplain ClusterSight.View#speaksForDeparted
 * speaks for departed nodes}. Either writes only while it sees a quorum, so a node cut off from
 * the others neither declares their services down nor fights the majority over its own. The
 * change it journals carries an id derived from the service's last change, so a transition two
 * nodes both decide (their views differ for a moment) is still recorded once.
 */
public final class ServiceRegistry {

  public static final String REGISTERED = SystemTypes.PREFIX + "registry.ServiceRegistered";
  public static final String UNREGISTERED = SystemTypes.PREFIX + "registry.ServiceUnregistered";
  public static final String HEALTH_CHANGED = SystemTypes.PREFIX + "registry.ServiceHealthChanged";
  static final String HEARTBEAT_ADDRESS = "commbus.registry.heartbeat";  // a raw event-bus address, not a type
  /** The field of a registration naming the member that registered the service. */
  static final String OWNER = "owner";

  private static final System.Logger LOG = System.getLogger(ServiceRegistry.class.getName());

  private final Vertx vertx;
  private final CommBus bus;
  private final RegistryOptions options;
  private final ClusterSight sight;
  private final Map<String, Entry> services = new ConcurrentHashMap<>();
  private final Map<String, Long> lastHeartbeat = new ConcurrentHashMap<>();
  private final Map<String, Promise<Boolean>> pending = new ConcurrentHashMap<>();
  private final List<Handler<String>> listeners = new CopyOnWriteArrayList<>();
  private Registration subscription;
  private MessageConsumer<String> heartbeats;
  private long checkTimer = -1;
  private volatile boolean stopped;

  /** A service as of the registry event at {@code version} (its journal position). */
  private static final class Entry {
    final ServiceDescriptor descriptor;
    final long version;
    /** The member that registered it; null for services registered before owners were recorded. */
    final String owner;

    Entry(ServiceDescriptor descriptor, long version, String owner) {
      this.descriptor = descriptor;
      this.version = version;
      this.owner = owner;
    }

    Entry withHealthy(boolean healthy, long at) {
      return new Entry(descriptor.withHealthy(healthy), at, owner);
    }
  }

  private ServiceRegistry(Vertx vertx, CommBus bus, RegistryOptions options) {
    this.vertx = vertx;
    this.bus = bus;
    this.options = options;
    this.sight = options.getClusterSight() != null ? options.getClusterSight() : ClusterSight.of(vertx);
  }

  /**
   * Starts the registry on a bus with a journal: replays the registry events, then follows
   * them. Completes once the replay has caught up.
   */
  public static Future<ServiceRegistry> start(Vertx vertx, CommBus bus, RegistryOptions options) {
    ServiceRegistry registry = new ServiceRegistry(vertx, bus, options);
    registry.subscription = bus.subscribeFrom(Set.of(REGISTERED, UNREGISTERED, HEALTH_CHANGED), 1, registry::apply);
    registry.heartbeats = vertx.eventBus().consumer(HEARTBEAT_ADDRESS, m -> registry.heard(m.body()));
    registry.checkTimer = vertx.setPeriodic(options.getCheckInterval().toMillis(), id -> registry.checkHeartbeats());
    return Future.all(registry.subscription.ready(), registry.heartbeats.completion()).map(registry);
  }

  // ------------------------------------------------------------------ the projection

  private void apply(Message event) {
    JsonObject body = event.json();
    String name = body.getString("name");
    boolean outcome = false;
    switch (event.type()) {
      case REGISTERED:
        if (!services.containsKey(name)) {
          services.put(name, new Entry(ServiceDescriptor.fromJson(body).withHealthy(true), event.position(),
              body.getString(OWNER)));
          lastHeartbeat.put(name, System.nanoTime());
          outcome = true;
        }
        break;
      case UNREGISTERED:
        outcome = services.remove(name) != null;
        lastHeartbeat.remove(name);
        break;
      case HEALTH_CHANGED:
        Entry entry = services.get(name);
        boolean healthy = body.getBoolean("healthy");
        if (entry != null && entry.descriptor.healthy() != healthy) {
          services.put(name, entry.withHealthy(healthy, event.position()));
          if (healthy) {
            lastHeartbeat.put(name, System.nanoTime());
          }
          outcome = true;
        }
        break;
      default:
        return;
    }
    // Listeners first: when a caller's registerService completes, its listeners have run.
    if (outcome) {
      listeners.forEach(listener -> listener.handle(name));
    }
    Promise<Boolean> waiting = event.id() == null ? null : pending.remove(event.id());
    if (waiting != null) {
      waiting.complete(outcome);
    }
  }

  /**
   * Publishes a registry event and completes with whether it changed the registry when applied.
   * Once the registry has stopped it is still published (the journal then holds it for the next
   * registry), but it fails, as this registry will never apply it.
   */
  private Future<Boolean> change(String type, String id, JsonObject body) {
    Promise<Boolean> applied = Promise.promise();
    pending.put(id, applied);
    bus.publish(Message.event(type, body).withId(id)).onComplete(published -> {
      if (published.failed()) {
        pending.remove(id);
        applied.tryFail(published.cause());
      } else if (stopped && pending.remove(id) != null) {
        applied.tryFail(stoppedBefore(id));
      }
    });
    return applied.future();
  }

  // ------------------------------------------------------------------ the API

  /** Registers a service; false if one of that name is already registered (on any node). */
  public Future<Boolean> registerService(ServiceDescriptor service) {
    if (services.containsKey(service.name())) {
      return Future.succeededFuture(false);
    }
    return change(REGISTERED, "registry:register:" + service.name() + ":" + UUID.randomUUID(),
        service.toJson().put(OWNER, sight.self()));
  }

  /** Removes a service; false if there was none of that name. */
  public Future<Boolean> unregisterService(String name) {
    if (!services.containsKey(name)) {
      return Future.succeededFuture(false);
    }
    return change(UNREGISTERED, "registry:unregister:" + name + ":" + UUID.randomUUID(),
        new JsonObject().put("name", name));
  }

  public Optional<ServiceDescriptor> getService(String name) {
    Entry entry = services.get(name);
    return entry == null ? Optional.empty() : Optional.of(entry.descriptor);
  }

  /** Services of a type (null: any), only healthy ones if asked, by name. */
  public List<ServiceDescriptor> listServices(String serviceType, boolean healthyOnly) {
    List<ServiceDescriptor> found = new ArrayList<>();
    for (Entry entry : services.values()) {
      ServiceDescriptor service = entry.descriptor;
      if ((serviceType == null || serviceType.equals(service.serviceType())) && (!healthyOnly || service.healthy())) {
        found.add(service);
      }
    }
    found.sort(Comparator.comparing(ServiceDescriptor::name));
    return found;
  }

  /** Healthy services of any type. */
  public List<ServiceDescriptor> listServices() {
    return listServices(null, true);
  }

  /** Says the service is alive, to every node. */
  public void heartbeat(String name) {
    vertx.eventBus().publish(HEARTBEAT_ADDRESS, name);
  }

  /** Calls {@code listener} with a service's name whenever the registry's view of it changes. */
  public ServiceRegistry onChange(Handler<String> listener) {
    listeners.add(listener);
    return this;
  }

  // ------------------------------------------------------------------ health

  private void heard(String name) {
    Entry entry = services.get(name);
    if (entry == null) {
      return;
    }
    lastHeartbeat.put(name, System.nanoTime());
    if (!entry.descriptor.healthy() && decides(entry)) {
      journalHealth(name, true, entry);
    }
  }

  private void checkHeartbeats() {
    long ttl = options.getHeartbeatTtl().toNanos();
    long now = System.nanoTime();
    services.forEach((name, entry) -> {
      Long last = lastHeartbeat.get(name);
      if (entry.descriptor.healthy() && last != null && now - last > ttl && decides(entry)) {
        journalHealth(name, false, entry);
      }
    });
  }

  /**
   * Whether this node decides the service's health now: it sees a quorum, and it is the owner,
   * or the owner is not in its view and it speaks for departed nodes.
   */
  private boolean decides(Entry entry) {
    ClusterSight.View view = sight.view();
    if (!view.quorum()) {
      return false;
    }
    String self = sight.self();
    if (entry.owner != null && view.sees(entry.owner)) {
      return entry.owner.equals(self);
    }
    return view.speaksForDeparted(self);
  }

  /** The id names the transition (which state, after which change), so every node that notices it writes the same event. */
  private void journalHealth(String name, boolean healthy, Entry entry) {
    LOG.log(System.Logger.Level.INFO, "service " + name + (healthy ? " heard again: marking it healthy"
        : " not heard for " + options.getHeartbeatTtl().toMillis() + " ms: marking it unhealthy")
        + (entry.owner == null || entry.owner.equals(sight.self()) ? "" : " for its node " + entry.owner
        + ", which left this node's view"));
    String id = "registry:health:" + name + ":" + (healthy ? "up" : "down") + ":after:" + entry.version;
    bus.publish(Message.event(HEALTH_CHANGED, new JsonObject().put("name", name).put("healthy", healthy)).withId(id))
        .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "could not record the health of " + name, e));
  }

  /**
   * Stops following the journal and checking heartbeats. A change still waiting to be applied
   * fails with UNAVAILABLE, and so does one asked for afterwards: this registry will never apply
   * it, and a caller waiting on it (a pool's stop hook taking its service away while Vert.x
   * closes everything at once) would otherwise wait for ever.
   */
  public Future<Void> stop() {
    stopped = true;
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
    }
    for (String id : List.copyOf(pending.keySet())) {
      Promise<Boolean> waiting = pending.remove(id);
      if (waiting != null) {
        waiting.tryFail(stoppedBefore(id));
      }
    }
    return Future.all(subscription.unregister(), heartbeats.unregister()).mapEmpty();
  }

  private static CommBusException stoppedBefore(String changeId) {
    return new CommBusException(ErrorCode.UNAVAILABLE, "the service registry stopped before it applied the change "
        + changeId + " (once published, a change is in the journal, and a registry started later replays it)");
  }
}
