package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.CommBus;
import io.commbus.bus.Registration;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.middleware.MetricsMiddleware;
import io.commbus.cluster.Cluster;
import io.commbus.cluster.ClusteredVertx;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.RegistryOptions;
import io.commbus.node.config.NodeConfig;
import io.commbus.node.config.PoolConfig;
import io.commbus.node.pools.PoolServices;
import io.commbus.process.CallbackHandler;
import io.commbus.process.CallbackRegistry;
import io.commbus.process.stubs.PythonStubs;
import io.commbus.process.ProcessVerticle;
import io.commbus.adapter.redis.RedisStreamIn;
import io.commbus.adapter.redis.RedisStreamOut;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.commbus.node.config.RedisBridgesConfig;
import io.commbus.process.pipeline.SessionService;
import io.commbus.process.pipeline.Sessions;
import io.commbus.process.client.ClientEndpoint;
import io.commbus.process.client.GroupStores;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A running commbus node, assembled from a {@link NodeConfig}: Vert.x (clustered or not, on the
 * native transport the process pools need), the journal, the bus, the coordinator, the
 * callback handlers, the Python pools, the consumer groups and its front (the admin HTTP
 * server), started in that order.
 *
 * <p>{@link #stop()} takes them down in the reverse order: the front stops taking requests, the
 * groups are left, the pools stop their children (and remove their socket directories), the
 * coordinator and the bus let go of the journal, the journal closes, and Vert.x closes last.
 * A start that fails half way undoes what it had started the same way, so a failed start
 * leaves no child process, socket file or open journal behind.
 *
 * <p>A little past the usual size: each part's start and its undoing sit together here, so the
 * order of both reads in one place; what a part does lives in its own class.
 */
public final class Node {

  private static final System.Logger LOG = System.getLogger(Node.class.getName());

  /** Where a node is in its life. */
  public enum State { STARTING, RUNNING, STOPPING, STOPPED }

  /** One thing to undo on stop, named for the log when it fails. */
  private static final class Teardown {
    final String part;
    final Supplier<Future<?>> action;

    Teardown(String part, Supplier<Future<?>> action) {
      this.part = part;
      this.action = action;
    }
  }

  private final NodeConfig config;
  private final Vertx vertx;
  private final List<CallbackHandler<?, ?>> callbackHandlers;
  /** The pools' request and reply types, loaded at start, for the stubs. */
  private final List<PythonStubs.Pool> poolTypes;
  private final GroupMembers groupMembers;
  private final Function<Node, ? extends NodeFront> makeFront;
  /**
   * The node's own context, part of no deployment: parts are started and stopped from it, so
   * none becomes the child of another (a verticle deployed from a verticle's context is undeployed
   * with it) and every callback of the assembly runs on this one thread.
   */
  private final Context context;
  /** The cluster this node joined, or null when it runs alone. */
  private final Cluster cluster;
  private final MetricsMiddleware calls = new MetricsMiddleware();
  /** Filled while starting and emptied by stop, both on {@link #context}, so it needs no lock. */
  private final Deque<Teardown> teardown = new ArrayDeque<>();
  private final long createdNanos = System.nanoTime();

  private volatile State state = State.STARTING;
  private volatile EventJournal journal;
  private volatile CommBus bus;
  private volatile CommBusCoordinatorVerticle coordinator;
  private volatile ClientEndpoint clients;
  private GroupStores groupStores;
  private volatile NodeFront front;
  private volatile List<ProcessVerticle> pools = List.of();
  private volatile Sessions sessions;
  private volatile List<Supplier<JsonObject>> bridges = List.of();
  /**
   * Of no context: Vert.x closes last, after every part, and completes its close on a thread of
   * its own, which completes this; so nothing waits on an event loop that is gone.
   */
  private final Promise<Void> stopped = Promise.promise();
  private boolean stopping;

  private Node(NodeConfig config, Vertx vertx, Cluster cluster, List<CallbackHandler<?, ?>> callbackHandlers,
               List<PythonStubs.Pool> poolTypes, GroupMembers groupMembers,
               Function<Node, ? extends NodeFront> makeFront) {
    this.config = config;
    this.vertx = vertx;
    this.cluster = cluster;
    this.callbackHandlers = callbackHandlers;
    this.poolTypes = poolTypes;
    this.groupMembers = groupMembers;
    this.makeFront = makeFront;
    this.context = VertxInternals.newEventLoopContext(vertx);
  }

  /**
   * Starts a node whose last part is the front {@code makeFront} makes over it (the admin HTTP
   * server: {@code Node.start(config, AdminServer::new)}). Fails with a {@link ConfigException}
   * when a callback handler cannot be made, and otherwise with the first part that could not
   * start, after undoing the rest. An {@code admin.host} beyond loopback without a token is a
 * {@link ConfigException} too, before anything starts when the host is an address.
   */
  public static Future<Node> start(NodeConfig config, Function<Node, ? extends NodeFront> makeFront) {
    List<CallbackHandler<?, ?>> handlers;
    GroupMembers groups;
    List<PythonStubs.Pool> poolTypes;
    try {
      // An admin API bound beyond loopback without a token is refused before anything starts.
      config.getAdmin().checkWrittenHost();
      UserClasses classes = UserClasses.from(config.getClassPath());
      handlers = CallbackHandlers.load(config, classes);
      groups = GroupMembers.load(config, classes);
      poolTypes = NodeStubs.pools(config, classes);  // a requestType or replyType that does not load fails the start
      config.getSessions().setClassLoader(classes.loader());  // Java pipeline nodes come from classPath too
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    // Process pools talk to their children over Unix domain sockets, which need the native transport.
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    Future<Cluster> joined = config.isClustered()
        ? ClusteredVertx.join(config.getCluster(), options)
            .recover(e -> Future.failedFuture(new IllegalStateException("cannot join the cluster "
                + config.getCluster().getClusterName() + " at " + config.getCluster().getMembers() + ": "
                + e.getMessage(), e)))
        : Future.succeededFuture(null);
    return joined.compose(cluster -> {
      Node node = new Node(config, cluster != null ? cluster.vertx() : Vertx.vertx(options), cluster, handlers,
          poolTypes, groups, makeFront);
      // The promise belongs to no context, so a caller on any thread (a main thread, a test) can await it.
      Promise<Node> assembled = Promise.promise();
      node.context.runOnContext(v -> node.assemble().onComplete(ar -> {
        if (ar.succeeded()) {
          node.state = State.RUNNING;
          assembled.complete(node);
        } else {
          // Completes on the thread that closed Vert.x: nothing may wait on the node's event loop after that.
          node.stop().onComplete(stopped -> assembled.fail(ar.cause()));
        }
      }));
      return assembled.future();
    });
  }

  private Future<Node> assemble() {
    return openJournal()
        .compose(v -> registerCallbacks())
        .compose(v -> deployCoordinator())
        .compose(v -> deployPools())
        .compose(v -> joinGroups())
        .compose(v -> startSessions())
        .compose(v -> startBridges())
        .compose(v -> startClients())
        .compose(v -> startFront())
        .map(this);
  }

  private Future<Void> openJournal() {
    return config.getJournal().open(vertx)
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot open the journal ("
            + config.getJournal().describe() + "): " + e.getMessage(), e)))
        .map(opened -> {
          journal = opened;
          undoLater("journal", opened::close);
          CommBusOptions busOptions = new CommBusOptions(config.getBus()).setJournal(opened);
          if (cluster != null) {
            // Calls in flight to a member that leaves fail at once (NODE_LEFT), not at their deadline.
            busOptions.setMembership(cluster::onMemberLeft);
          }
          bus = CommBus.create(vertx, busOptions).addMiddleware(calls);
          undoLater("bus", bus::close);
          return null;
        });
  }

  private Future<Void> registerCallbacks() {
    // Registered before the pools start, so a child may call them as soon as it is ready;
    // bus.close() unregisters them.
    List<Future<?>> registrations = new ArrayList<>();
    for (CallbackHandler<?, ?> handler : callbackHandlers) {
      registrations.add(CallbackRegistry.register(bus, handler).recover(e -> Future.failedFuture(
          new IllegalStateException("cannot register the callback handler " + handler.getClass().getName()
              + " for " + handler.path() + ": " + e.getMessage(), e))));
    }
    return Future.all(registrations).mapEmpty();
  }

  private Future<Void> deployCoordinator() {
    if (!config.isCoordinatorEnabled()) {
      return Future.succeededFuture();
    }
    CoordinatorOptions options = config.getCoordinator();
    if (cluster != null) {
      // Health is decided with the cluster's quorum, so a node cut off from the others writes none.
      options = new CoordinatorOptions().setDispatcher(options.getDispatcher())
          .setRegistry(new RegistryOptions(options.getRegistry()).setClusterSight(new QuorumSight(cluster)));
    }
    CommBusCoordinatorVerticle verticle = new CommBusCoordinatorVerticle(bus, options);
    return vertx.deployVerticle(verticle)
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot start the coordinator: " + e.getMessage(),
            e)))
        .map(id -> {
          coordinator = verticle;
          undoLater("coordinator", () -> vertx.undeploy(id));
          return null;
        });
  }

  /** Starts the pools together; {@link #pools} keeps the configuration's order. */
  private Future<Void> deployPools() {
    List<String> deployed = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Stopped together: each pool gives its children the same grace, so the node stops in one grace, not N.
    undoLater("pools", () -> Future.join(deployed.stream().map(vertx::undeploy).toList()));
    List<ProcessVerticle> verticles = new ArrayList<>();
    List<Future<String>> starts = new ArrayList<>();
    PoolServices services = coordinator == null ? null : new PoolServices(vertx, coordinator);
    for (PoolConfig pool : config.getPools()) {
      // Each child is told of this node's callbacks (for dir() and its errors); it may call others too.
      callbackHandlers.forEach(handler -> pool.getWorker().getProcess().addCallback(handler.path()));
      ProcessVerticle verticle = ProcessVerticle.python(bus, pool.getPool(), pool.getWorker());
      verticles.add(verticle);
      boolean served = pool.isServeAsService() && services != null;
      starts.add(vertx.deployVerticle(verticle)
          .onSuccess(deployed::add)
          .compose(id -> served ? services.serve(verticle, pool.getService()).map(id) : Future.succeededFuture(id))
          .recover(e -> Future.failedFuture(new IllegalStateException("pool " + pool.getPool().getName()
              + " could not start: " + e.getMessage(), e))));
    }
    return Future.join(starts).transform(ar -> {
      for (Future<String> start : starts) {
        if (start.failed()) {
          return Future.failedFuture(start.cause());
        }
      }
      pools = List.copyOf(verticles);
      return Future.succeededFuture();
    });
  }

  /** Joins the configured consumer groups once the pools that may be their members are ready; leaves them first. */
  private Future<Void> joinGroups() {
    if (config.getGroups().isEmpty()) {
      return Future.succeededFuture();
    }
    return groupMembers.join(bus, groupStores().checkpoints(), groupStores().leases(), pools)
        .map(joined -> {
          undoLater("consumer groups", () -> Future.join(joined.stream().map(Registration::unregister).toList()));
          return null;
        });
  }

  /** Pipeline sessions: none runs until one is created (admin API, CLI, the bus), so they cost a directory. */
  private Future<Void> startSessions() {
    return Sessions.start(vertx, bus, config.getSessions())
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot start the pipeline sessions: "
            + e.getMessage(), e)))
        .compose(started -> {
          sessions = started;
          undoLater("pipeline sessions", started::close);
          return SessionService.register(bus, started);
        })
        .map(service -> {
          undoLater("pipeline sessions' bus types", service::close);
          return null;
        });
  }

  /** The Redis Streams bridges of the configuration, once the journal and bus are up; stopped before the bus closes. */
  private Future<Void> startBridges() {
    RedisBridgesConfig redis = config.getRedis();
    if (redis.isEmpty()) {
      return Future.succeededFuture();
    }
    Redis client = Redis.createClient(vertx, redis.url());
    RedisAPI api = RedisAPI.api(client);
    undoLater("Redis client", () -> {
      client.close();
      return Future.succeededFuture();
    });
    List<Future<Void>> starts = new ArrayList<>();
    List<Supplier<JsonObject>> statuses = new ArrayList<>();
    for (RedisBridgesConfig.Out out : redis.out()) {
      RedisStreamOut bridge = new RedisStreamOut(bus, api, out.stream(), out.types(), config.getJournal().checkpoints(vertx));
      statuses.add(bridge::status);
      starts.add(bridge.start().onSuccess(v -> undoLater("Redis bridge out to " + out.stream(), bridge::stop)));
    }
    for (RedisBridgesConfig.In in : redis.in()) {
      RedisStreamIn bridge = new RedisStreamIn(vertx, bus, api, in.stream(), in.group(), in.consumer(), in.type());
      statuses.add(bridge::status);
      starts.add(bridge.start().onSuccess(v -> undoLater("Redis bridge in from " + in.stream(), bridge::stop)));
    }
    bridges = List.copyOf(statuses);
    return Future.all(starts).<Void>mapEmpty().recover(e -> Future.failedFuture(new IllegalStateException(
        "cannot start the Redis bridges (" + redis.url() + "): " + e.getMessage(), e)));
  }

  /** Each bridge's status, for /health: stream, direction, progress, connection and last error. */
  public List<JsonObject> bridges() {
    return bridges.stream().map(Supplier::get).toList();
  }

  /** Opens the client endpoint last but for the front: a client that connects finds the pools and groups in place. */
  private Future<Void> startClients() {
    if (!config.getClients().isEnabled()) {
      return Future.succeededFuture();
    }
    // Groups clients join keep their checkpoints in the same store as the configured groups.
    ClientEndpoint endpoint = new ClientEndpoint(bus, config.getClients(), groupStores());
    return vertx.deployVerticle(endpoint)
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot open the client endpoint: "
            + e.getMessage(), e)))
        .map(id -> {
          clients = endpoint;
          undoLater("client endpoint", () -> vertx.undeploy(id));
          return null;
        });
  }

  /** Where consumer groups keep checkpoints and who dispatches them: one store for the node (each holds connections). */
  private GroupStores groupStores() {
    if (groupStores == null) {
      groupStores = new GroupStores(config.getJournal().checkpoints(vertx), config.getJournal().leases(vertx));
    }
    return groupStores;
  }

  private Future<Void> startFront() {
    NodeFront made = makeFront.apply(this);
    return vertx.deployVerticle(made).map(id -> {
      front = made;
      undoLater("admin HTTP server", () -> vertx.undeploy(id));
      return null;
    });
  }

  private void undoLater(String part, Supplier<Future<?>> action) {
    teardown.push(new Teardown(part, action));
  }

  /**
   * Stops the node, undoing its start in reverse order. A part that fails to stop is logged and
   * the rest still stop. Calling it again returns the same future.
   */
  public synchronized Future<Void> stop() {
    if (!stopping) {
      stopping = true;
      state = State.STOPPING;
      context.runOnContext(v -> next(Future.succeededFuture()).onComplete(ar -> vertx.close().onComplete(closed -> {
        if (closed.failed()) {
          LOG.log(System.Logger.Level.WARNING, "closing Vert.x failed: " + closed.cause().getMessage());
        }
        state = State.STOPPED;
        stopped.complete();
      })));
    }
    return stopped.future();
  }

  /** Completes once the node has stopped, whoever stopped it. */
  public Future<Void> whenStopped() {
    return stopped.future();
  }

  private Future<Void> next(Future<Void> previous) {
    return previous.compose(v -> {
      Teardown step = teardown.poll();
      if (step == null) {
        return Future.succeededFuture();
      }
      Future<?> undone;
      try {
        undone = step.action.get();
      } catch (RuntimeException e) {
        undone = Future.failedFuture(e);
      }
      return next(undone.transform(ar -> {
        if (ar.failed()) {
          LOG.log(System.Logger.Level.WARNING, "stopping the " + step.part + " failed: " + ar.cause().getMessage());
        }
        return Future.<Void>succeededFuture();
      }));
    });
  }

  // ------------------------------------------------------------------ what the front reads

  public NodeConfig config() {
    return config;
  }

  /** The typed Python stubs of this node's callbacks and pools ({@link NodeStubs}); {@code origin} names the node in them. */
  public PythonStubs stubs(String origin, boolean dataclasses) {
    // The classes loaded at start: the same ones the pools and callbacks use, loaded once.
    return NodeStubs.of(callbackHandlers, poolTypes, origin, dataclasses);
  }

  public State state() {
    return state;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The cluster this node joined; empty when it runs alone. */
  public Optional<Cluster> cluster() {
    return Optional.ofNullable(cluster);
  }

  public CommBus bus() {
    return bus;
  }

  public EventJournal journal() {
    return journal;
  }

  /** Empty when the configuration turned the coordinator off. */
  public Optional<CommBusCoordinatorVerticle> coordinator() {
    return Optional.ofNullable(coordinator);
  }

  /** Empty when the configuration turned the client endpoint off. */
  /** The node's pipeline sessions; empty before they started. */
  public Optional<Sessions> sessions() {
    return Optional.ofNullable(sessions);
  }

  public Optional<ClientEndpoint> clients() {
    return Optional.ofNullable(clients);
  }

  /** The pools, in configuration order. */
  public List<ProcessVerticle> pools() {
    return pools;
  }

  /** Calls made through this node's bus, by category, type and outcome. */
  public MetricsMiddleware calls() {
    return calls;
  }

  /** The port the admin server listens on (useful when the configuration asked for 0). */
  public int adminPort() {
    return runningFront().port();
  }

  /** {@code http://HOST:PORT}, with the address the admin server is bound to ({@code admin.host}). */
  public String adminUrl() {
    return runningFront().url();
  }

  private NodeFront runningFront() {
    NodeFront running = front;
    if (running == null) {
      throw new IllegalStateException("the admin server is not running");
    }
    return running;
  }

  /** Milliseconds since the node began to start. */
  public long uptimeMillis() {
    return (System.nanoTime() - createdNanos) / 1_000_000;
  }
}
