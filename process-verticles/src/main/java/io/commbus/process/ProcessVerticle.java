package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.process.internal.ChildProcess;
import io.commbus.process.internal.Exchange;
import io.commbus.process.internal.ExitStatus;
import io.commbus.process.internal.RuntimeDirectory;
import io.commbus.process.internal.TraceScope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A pool of child processes behind one bus message type. It spawns and supervises the
 * children, answers the type's queries and query streams by forwarding them to the child
 * with the fewest requests in flight, and turns what the children ask for (callbacks,
 * publish, send, query, subscribe) into bus calls. See docs/protocol.md for the wire.
 *
 * <pre>{@code
 * PythonProcessConfig worker = new PythonProcessConfig("strategy", "execute_trade")
 *     .addPythonPath(Path.of("examples/trading"));
 * ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("trading").setSize(2), worker);
 * vertx.deployVerticle(pool).await();
 * bus.query(Message.query("trading", order));
 * }</pre>
 *
 * <p>The Vert.x instance must run on the native epoll transport
 * ({@code new VertxOptions().setPreferNativeTransport(true)}), which Unix domain sockets need.
 * Deployment completes once every child is ready and fails with a {@link HandshakeException}
 * naming the cause when one cannot start.
 */
public class ProcessVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ProcessVerticle.class.getName());

  private final CommBus bus;
  private final PoolOptions pool;
  private final ProcessOptions configured;
  private final PythonProcessConfig python;
  private final SecureRandom random = new SecureRandom();
  private final List<Slot> slots = new ArrayList<>();
  private final ArrayDeque<PoolRequest> queue = new ArrayDeque<>();

  private ProcessOptions options;
  private RuntimeDirectory directory;
  private PoolService service;
  private Registration serviceRegistration;
  private long heartbeatTimer = -1;
  private Registration registration;
  private Promise<Void> registered;
  private boolean stopping;
  private String kind;
  private long restarts;
  private long rejected;

  /** A pool of children started by {@code options.getCommand()}. */
  public ProcessVerticle(CommBus bus, PoolOptions pool, ProcessOptions options) {
    this(bus, pool, options, null);
  }

  private ProcessVerticle(CommBus bus, PoolOptions pool, ProcessOptions options, PythonProcessConfig python) {
    this.bus = bus;
    this.pool = pool;
    this.configured = options;
    this.python = python;
  }

  /**
   * Registers the pool as a coordinator service once its children are ready: the
   * coordinator's {@code dispatch} then reaches it from any node, with the pool's load limit,
   * and its health follows its children. Call before deploying.
   */
  public ProcessVerticle serveAs(PoolService service) {
    this.service = service;
    return this;
  }

  /** A pool of Python workers; the SDK shipped in the jar is put on their path. */
  public static ProcessVerticle python(CommBus bus, PoolOptions pool, PythonProcessConfig python) {
    return new ProcessVerticle(bus, pool, null, python);
  }

  @Override
  public Future<?> start() {
    try {
      pool.validate();
      if (configured != null) {
        configured.validate();
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "pool " + pool.getName() + ": "
          + e.getMessage()));
    }
    if (!vertx.isNativeTransportEnabled()) {
      return Future.failedFuture(new IllegalStateException("pool " + pool.getName()
          + " needs Vert.x on its native transport for Unix domain sockets: create Vert.x with "
          + "new VertxOptions().setPreferNativeTransport(true)"
          + (vertx.unavailableNativeTransportCause() == null ? ""
          : " (unavailable: " + vertx.unavailableNativeTransportCause().getMessage() + ")")));
    }
    ProcessOptions base = configured != null ? configured : python.getProcess();
    return vertx.executeBlocking(() -> {
      RuntimeDirectory created = RuntimeDirectory.create(base.getRuntimeDirectory(), pool.getName());
      try {
        ProcessOptions resolved = configured;
        if (python != null) {
          Path sdk = created.extractPythonSdk();
          resolved = python.toProcessOptions(sdk);
        }
        resolved.validate();
        return new Object[] {created, resolved};
      } catch (RuntimeException e) {
        created.delete();
        throw e;
      }
    }, false).compose(prepared -> {
      directory = (RuntimeDirectory) prepared[0];
      options = (ProcessOptions) prepared[1];
      registered = Promise.promise();
      List<Future<String>> starts = new ArrayList<>();
      for (int i = 0; i < pool.getSize(); i++) {
        starts.add(addSlot().firstStart);
      }
      return Future.all(starts).compose(all -> registered.future()).compose(v -> registerService()).recover(e -> {
        Throwable cause = firstFailure(starts, e);
        return stopChildren().eventually(() -> deleteDirectory()).compose(v -> Future.failedFuture(cause));
      });
    });
  }

  private static Throwable firstFailure(List<Future<String>> starts, Throwable fallback) {
    for (Future<String> start : starts) {
      if (start.failed()) {
        return start.cause();
      }
    }
    return fallback;
  }

  private Future<Void> registerService() {
    if (service == null) {
      return Future.succeededFuture();
    }
    if ("stream".equals(kind)) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "pool " + pool.getName()
          + " streams its replies, and coordinator dispatch expects one reply: serve it without serveAs"));
    }
    var descriptor = io.commbus.coordinator.ServiceDescriptor.of(pool.getName(), PoolService.SERVICE_TYPE)
        .withVersion(service.getVersion()).withCapabilities(service.getCapabilities())
        .withMaxConcurrent(pool.getSize() * options.getMaxInFlight())
        .withMetadata(serviceMetadata());
    CommBusCoordinatorVerticle coordinator = service.getCoordinator();
    return coordinator.registerHandler(pool.getName(), this::request)
        .compose(r -> {
          serviceRegistration = r;
          return coordinator.registerService(descriptor);
        })
        .map(added -> {
          // false: the registry already knows the name (a restarted node); the heartbeat below marks it healthy.
          heartbeat();
          heartbeatTimer = vertx.setPeriodic(service.getHeartbeatInterval().toMillis(), t -> heartbeat());
          return null;
        });
  }

  private java.util.Map<String, String> serviceMetadata() {
    java.util.Map<String, String> metadata = new java.util.LinkedHashMap<>();
    metadata.put("type", pool.getType());
    metadata.put("size", Integer.toString(pool.getSize()));
    if (kind != null) {
      metadata.put("kind", kind);
    }
    for (String name : options.getEntry().fieldNames()) {
      metadata.put(name, String.valueOf(options.getEntry().getValue(name)));
    }
    return metadata;
  }

  /** Heartbeats only while a child can serve, so the registry's TTL turns a dead pool unhealthy. */
  private void heartbeat() {
    for (Slot slot : slots) {
      if (!slot.retired && slot.child != null && slot.child.state() == ChildProcess.State.READY) {
        service.getCoordinator().heartbeat(pool.getName());
        return;
      }
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    Future<Void> unregistered = registration == null ? Future.succeededFuture() : registration.unregister();
    if (serviceRegistration != null) {
      CommBusCoordinatorVerticle coordinator = service.getCoordinator();
      unregistered = unregistered.eventually(() -> serviceRegistration.unregister())
          .compose(v -> coordinator.unregisterService(pool.getName()).<Void>mapEmpty(), e -> Future.<Void>succeededFuture())
          .recover(e -> {
            LOG.log(System.Logger.Level.WARNING, "pool " + pool.getName() + " could not unregister its service: "
                + e.getMessage());
            return Future.succeededFuture();
          });
    }
    failQueued(new CommBusException(ErrorCode.UNAVAILABLE, "pool " + pool.getName() + " is stopping"));
    return unregistered.eventually(this::stopChildren).eventually(this::deleteDirectory);
  }

  private Future<Void> stopChildren() {
    List<Future<Void>> stops = new ArrayList<>();
    for (Slot slot : slots) {
      slot.retired = true;
      slot.cancelTimers();
      if (slot.child != null) {
        stops.add(slot.child.stop());
      }
    }
    return Future.join(stops).mapEmpty();
  }

  private Future<Void> deleteDirectory() {
    if (directory == null) {
      return Future.succeededFuture();
    }
    RuntimeDirectory toDelete = directory;
    return vertx.executeBlocking(() -> {
      toDelete.delete();
      return null;
    }, false);
  }

  // ------------------------------------------------------------------ children

  private final class Slot {
    final int index;
    long generation;
    ChildProcess child;
    int failures;
    boolean retired;
    boolean gaveUp;
    long restartTimer = -1;
    long stableTimer = -1;
    Future<String> firstStart;

    Slot(int index) {
      this.index = index;
    }

    String childId() {
      return pool.getName() + "#" + index;
    }

    void cancelTimers() {
      if (restartTimer >= 0) {
        vertx.cancelTimer(restartTimer);
        restartTimer = -1;
      }
      if (stableTimer >= 0) {
        vertx.cancelTimer(stableTimer);
        stableTimer = -1;
      }
    }
  }

  private Slot addSlot() {
    Slot slot = new Slot(slots.size());
    slots.add(slot);
    slot.firstStart = launch(slot);
    return slot;
  }

  private Future<String> launch(Slot slot) {
    slot.generation++;
    String token = HexFormat.of().formatHex(nextToken());
    ChildProcess child = new ChildProcess(context, bus, options, slot.childId(),
        directory.socket(slot.index, slot.generation), token, new ChildProcess.Listener() {
          @Override
          public void exited(ChildProcess ended, String description) {
            childExited(slot, ended, description);
          }
        });
    slot.child = child;
    return child.start().andThen(ar -> {
      if (slot.child != child) {
        return;
      }
      if (ar.succeeded()) {
        childReady(slot, child);
      } else {
        LOG.log(System.Logger.Level.WARNING, ar.cause().getMessage());
      }
    });
  }

  private byte[] nextToken() {
    byte[] token = new byte[32];
    random.nextBytes(token);
    return token;
  }

  private void childReady(Slot slot, ChildProcess child) {
    if (slot.retired) {
      child.stop();
      return;
    }
    slot.stableTimer = vertx.setTimer(options.getStableAfter().toMillis(), t -> {
      slot.stableTimer = -1;
      slot.failures = 0;
    });
    lifecycle(ProcessEvents.CHILD_STARTED, new JsonObject().put("pid", child.pid()).put("kind", child.kind())
        .put("startupMillis", child.startupMillis()).put("generation", slot.generation), slot);
    if (kind == null && registered != null) {
      // The first ready child decides how the pool registers; children ready at the same
      // moment must not register twice while a clustered registration is under way.
      kind = child.kind();
      register(kind);
    }
    drain();
  }

  private void register(String kind) {
    Future<Registration> registering = "stream".equals(kind)
        ? bus.registerStreamHandler(pool.getType(), this::stream)
        : bus.registerHandler(pool.getType(), this::request);
    registering.compose(r -> {
      registration = r;
      return r.ready();
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        registered.tryComplete();
      } else {
        registered.tryFail(ar.cause());
      }
    });
  }

  private void childExited(Slot slot, ChildProcess child, String description) {
    if (slot.child != child) {
      return;
    }
    slot.cancelTimers();
    int status = child.exitStatus();
    lifecycle(ProcessEvents.CHILD_EXITED, new JsonObject().put("pid", child.pid()).put("status", status)
        .put("signal", ExitStatus.signal(status)).put("description", description), slot);
    if (stopping || slot.retired) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, description);
    if (!slot.firstStart.isComplete()) {
      return; // deployment fails; nothing to restart
    }
    slot.failures++;
    if (slot.failures > options.getMaxRestarts()) {
      slot.gaveUp = true;
      lifecycle(ProcessEvents.CHILD_GAVE_UP, new JsonObject().put("failures", slot.failures - 1)
          .put("description", description), slot);
      LOG.log(System.Logger.Level.ERROR, "pool " + pool.getName() + ": child " + slot.childId() + " gave up after "
          + (slot.failures - 1) + " restarts");
      if (slots.stream().allMatch(s -> s.gaveUp || s.retired)) {
        failQueued(unavailable());
      }
      return;
    }
    long delay = restartDelay(slot.failures);
    restarts++;
    lifecycle(ProcessEvents.CHILD_RESTARTING, new JsonObject().put("attempt", slot.failures)
        .put("delayMillis", delay), slot);
    slot.restartTimer = vertx.setTimer(delay, t -> {
      slot.restartTimer = -1;
      if (!stopping && !slot.retired) {
        launch(slot);
      }
    });
  }

  private long restartDelay(int failures) {
    long initial = options.getInitialRestartDelay().toMillis();
    long max = options.getMaxRestartDelay().toMillis();
    long delay = initial << Math.min(failures - 1, 30);
    return delay <= 0 || delay > max ? max : delay;
  }

  private void lifecycle(String type, JsonObject body, Slot slot) {
    if (!pool.isLifecycleEvents() || stopping) {
      return;
    }
    body.put("pool", pool.getName()).put("child", slot.childId());
    bus.publish(Message.event(type, body)).onFailure(e ->
        LOG.log(System.Logger.Level.WARNING, "could not publish " + type + ": " + e.getMessage()));
  }

  // ------------------------------------------------------------------ requests

  private Future<Object> request(Message message) {
    Promise<Object> promise = Promise.promise();
    dispatch(new PoolRequest(message, promise, null));
    return promise.future();
  }

  private void stream(Message message, StreamSink<Object> sink) {
    dispatch(new PoolRequest(message, null, sink));
  }

  private void dispatch(PoolRequest request) {
    if (stopping) {
      request.onError(new CommBusException(ErrorCode.UNAVAILABLE, "pool " + pool.getName() + " is stopping"));
      return;
    }
    ChildProcess child = leastBusy();
    if (child != null) {
      request.sendTo(child);
      return;
    }
    if (slots.stream().allMatch(s -> s.gaveUp || s.retired)) {
      request.onError(unavailable());
      return;
    }
    if (queue.size() >= options.getMaxQueued()) {
      rejected++;
      request.onError(CommBusException.of(ErrorCode.OVERLOADED, "pool " + pool.getName() + " has "
          + options.getMaxInFlight() + " requests in flight per child and " + queue.size() + " queued"));
      return;
    }
    queue.add(request);
    long delay = Math.max(1, request.deadline - System.currentTimeMillis());
    request.queueTimer = vertx.setTimer(delay, t -> {
      if (queue.remove(request)) {
        request.onError(CommBusException.of(ErrorCode.TIMEOUT, "pool " + pool.getName()
            + " had no free child for " + request.type() + " before its deadline"));
      }
    });
  }

  private CommBusException unavailable() {
    return new CommBusException(ErrorCode.UNAVAILABLE, "pool " + pool.getName()
        + " has no child left: every one failed more than " + options.getMaxRestarts() + " times in a row");
  }

  private ChildProcess leastBusy() {
    ChildProcess best = null;
    for (Slot slot : slots) {
      ChildProcess child = slot.child;
      if (slot.retired || child == null || child.state() != ChildProcess.State.READY
          || child.inFlight() >= options.getMaxInFlight()) {
        continue;
      }
      if (best == null || child.inFlight() < best.inFlight()) {
        best = child;
      }
    }
    return best;
  }

  private void drain() {
    while (!queue.isEmpty()) {
      ChildProcess child = leastBusy();
      if (child == null) {
        return;
      }
      PoolRequest next = queue.removeFirst();
      vertx.cancelTimer(next.queueTimer);
      next.sendTo(child);
    }
  }

  private void failQueued(CommBusException error) {
    List<PoolRequest> waiting = new ArrayList<>(queue);
    queue.clear();
    for (PoolRequest request : waiting) {
      vertx.cancelTimer(request.queueTimer);
      request.onError(error);
    }
  }

  /** One request on its way through the pool to a child, and its answer on the way back. */
  private final class PoolRequest implements Exchange {
    final Message message;
    final Promise<Object> reply;
    final StreamSink<Object> sink;
    final long deadline;
    final String traceparent;
    long queueTimer = -1;
    boolean done;

    PoolRequest(Message message, Promise<Object> reply, StreamSink<Object> sink) {
      this.message = message;
      this.reply = reply;
      this.sink = sink;
      this.deadline = message.deadline() != null ? message.deadline().toEpochMilli()
          : System.currentTimeMillis() + options.getRequestTimeout().toMillis();
      this.traceparent = TraceScope.outgoing(message.traceparent());
    }

    void sendTo(ChildProcess child) {
      child.request(this);
    }

    @Override
    public long deadlineMillis() {
      return deadline;
    }

    @Override
    public String type() {
      return message.type();
    }

    @Override
    public Object payload() {
      return message.body();
    }

    @Override
    public String traceparent() {
      return traceparent;
    }

    @Override
    public boolean streamed() {
      return sink != null;
    }

    @Override
    public void onValue(Object value) {
      if (finish()) {
        if (sink != null) {
          sink.write(value);
          sink.end();
        } else {
          reply.tryComplete(value);
        }
      }
    }

    @Override
    public void onItem(Object value, Runnable consumed) {
      if (done) {
        return;
      }
      if (sink == null) {
        onError(CommBusException.of(ErrorCode.PROTOCOL, "the handler of " + type()
            + " answered with a stream; use queryStream"));
        return;
      }
      sink.write(value).onComplete(ar -> consumed.run());
    }

    @Override
    public void onEnd() {
      if (finish()) {
        if (sink != null) {
          sink.end();
        } else {
          reply.tryFail(CommBusException.of(ErrorCode.PROTOCOL, "the handler of " + type()
              + " answered with a stream; use queryStream"));
        }
      }
    }

    @Override
    public void onError(CommBusException error) {
      if (finish()) {
        if (sink != null) {
          sink.fail(error);
        } else {
          reply.tryFail(error);
        }
      }
    }

    @Override
    public void onCallerCancel(Runnable cancel) {
      if (sink != null) {
        sink.cancelHandler(v -> {
          if (finish()) {
            cancel.run();
          }
        });
      }
    }

    /** Marks the request answered and lets the next queued one in; false if it already was. */
    private boolean finish() {
      if (done) {
        return false;
      }
      done = true;
      if (!queue.isEmpty()) {
        vertx.runOnContext(v -> drain());
      }
      return true;
    }
  }

  // ------------------------------------------------------------------ management

  /** Grows or shrinks the pool. Growing completes when the new children are ready; shrinking when the removed ones have stopped. */
  public Future<Void> resize(int size) {
    if (size < 1) {
      return Future.failedFuture(new IllegalArgumentException("a pool needs at least one child, asked for " + size));
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      List<Slot> active = new ArrayList<>();
      for (Slot slot : slots) {
        if (!slot.retired) {
          active.add(slot);
        }
      }
      if (size > active.size()) {
        List<Future<String>> starts = new ArrayList<>();
        for (int i = active.size(); i < size; i++) {
          starts.add(addSlot().firstStart);
        }
        Future.all(starts).<Void>mapEmpty().onComplete(done);
      } else {
        List<Future<Void>> stops = new ArrayList<>();
        for (int i = active.size() - 1; i >= size; i--) {
          Slot slot = active.get(i);
          slot.retired = true;
          slot.cancelTimers();
          if (slot.child != null) {
            stops.add(slot.child.stop());
          }
        }
        Future.join(stops).<Void>mapEmpty().onComplete(done);
      }
      pool.setSize(size);
    });
    return done.future();
  }

  /** The pool's name. */
  public String name() {
    return pool.getName();
  }

  /** The children as they are now: id, state, pid, requests in flight, handler kind, startup time. */
  public Future<JsonArray> children() {
    Promise<JsonArray> promise = Promise.promise();
    context.runOnContext(v -> {
      JsonArray children = new JsonArray();
      for (Slot slot : slots) {
        if (slot.retired) {
          continue;
        }
        JsonObject info = slot.child == null ? new JsonObject().put("id", slot.childId()) : slot.child.describe();
        info.put("failures", slot.failures).put("gaveUp", slot.gaveUp);
        children.add(info);
      }
      promise.complete(children);
    });
    return promise.future();
  }

  /** Load figures: children ready, requests in flight and queued, restarts, rejections. */
  public Future<JsonObject> stats() {
    Promise<JsonObject> promise = Promise.promise();
    context.runOnContext(v -> {
      int ready = 0;
      int inFlight = 0;
      int size = 0;
      for (Slot slot : slots) {
        if (slot.retired) {
          continue;
        }
        size++;
        if (slot.child != null && slot.child.state() == ChildProcess.State.READY) {
          ready++;
          inFlight += slot.child.inFlight();
        }
      }
      promise.complete(new JsonObject().put("pool", pool.getName()).put("type", pool.getType()).put("size", size)
          .put("ready", ready).put("inFlight", inFlight).put("queued", queue.size()).put("restarts", restarts)
          .put("rejected", rejected));
    });
    return promise.future();
  }

  /** The private directory holding the children's sockets; null before start. */
  public Path runtimeDirectory() {
    return directory == null ? null : directory.root();
  }
}
