package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.process.pool.ChildPool;
import io.commbus.process.pool.PoolSpec;
import io.commbus.process.pool.PoolStatus;
import io.commbus.process.pool.RuntimeDirectory;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

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
 * naming the cause when one cannot start, or with an IllegalArgumentException naming the
 * field when the options cannot work.
 *
 * <p>This class is the public face; the work is done by the {@code pool} package (supervision,
 * balancing, the queue), the {@code child} package (one child run and its connection) and the
 * {@code wire} package (frames).
 */
public class ProcessVerticle extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ProcessVerticle.class.getName());

  private final CommBus bus;
  private final PoolOptions pool;
  private final ProcessOptions configured;
  private final PythonProcessConfig python;

  private volatile RuntimeDirectory directory;
  private volatile PoolSpec spec;
  private volatile ChildPool children;
  private final List<Supplier<Future<?>>> stopHooks = new CopyOnWriteArrayList<>();
  private LifecycleEvents events;
  private Registration registration;

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

  /** A pool of Python workers; the SDK shipped in the jar is put on their path. */
  public static ProcessVerticle python(CommBus bus, PoolOptions pool, PythonProcessConfig python) {
    return new ProcessVerticle(bus, pool, null, python);
  }

  @Override
  public Future<?> start() {
    try {
      pool.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("pool " + pool.getName() + ": " + e.getMessage(), e));
    }
    if (!vertx.isNativeTransportEnabled()) {
      return Future.failedFuture(new IllegalStateException("pool " + pool.getName()
          + " needs Vert.x on its native transport for Unix domain sockets: create Vert.x with "
          + "new VertxOptions().setPreferNativeTransport(true)"
          + (vertx.unavailableNativeTransportCause() == null ? ""
          : " (unavailable: " + vertx.unavailableNativeTransportCause().getMessage() + ")")));
    }
    return vertx.executeBlocking(() -> PoolBootstrap.prepare(pool, configured, python), false).compose(prepared -> {
      directory = prepared.directory();
      spec = prepared.spec();
      events = new LifecycleEvents(bus, pool);
      children = new ChildPool(context, bus, prepared.spec(), directory, events);
      Future<Void> registered = children.firstReady().compose(this::register);
      return children.start().compose(v -> registered).recover(e -> stop()
          .transform(stopped -> Future.failedFuture(HandshakeException.publicForm(e))));
    });
  }

  /** Registers the pool under its type once the first child says how it answers: one value or a stream. */
  private Future<Void> register(HandlerKind kind) {
    Future<Registration> registering = kind.streams()
        ? bus.registerStreamHandler(pool.getType(), children::stream)
        : bus.registerHandler(pool.getType(), children::request);
    return registering.compose(r -> {
      registration = r;
      return r.ready();
    });
  }

  /**
   * Adds work to do first when the pool stops, before it leaves the bus and its children stop:
   * how whatever fronts the pool elsewhere (a coordinator service, say) takes itself away while
   * the pool can still answer. A hook that fails, or has not completed within
   * {@code shutdownGrace}, is logged and the stop goes on.
   */
  public ProcessVerticle onStop(Supplier<Future<?>> hook) {
    stopHooks.add(hook);
    return this;
  }

  @Override
  public Future<?> stop() {
    if (events != null) {
      events.stop();
    }
    // A hook that never completes must not keep the children running: it gets shutdownGrace.
    Duration hookGrace = spec != null ? spec.child().shutdownGrace() : ProcessOptions.DEFAULT_SHUTDOWN_GRACE;
    List<Future<?>> hooks = new ArrayList<>();
    for (Supplier<Future<?>> hook : stopHooks) {
      hooks.add(Future.succeededFuture().compose(v -> hook.get())
          .timeout(hookGrace.toMillis(), TimeUnit.MILLISECONDS)
          .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "pool " + pool.getName() + ": a stop hook "
              + (e instanceof TimeoutException
              ? "did not complete within shutdownGrace (" + hookGrace.toMillis() + " ms)"
              : "failed: " + e.getMessage()) + "; the pool stops all the same")));
    }
    // Hooks complete on other contexts (and a timeout on none): the rest of the stop is the pool's own.
    Future<Void> unregistered = backHere(Future.join(hooks)).<Void>mapEmpty().recover(e -> Future.succeededFuture())
        .compose(v -> registration == null ? Future.succeededFuture() : registration.unregister());
    return unregistered.eventually(() -> children == null ? Future.succeededFuture() : children.stop())
        .eventually(() -> spec == null ? Future.succeededFuture() : spec.child().launcher().close())
        .eventually(this::deleteDirectory);
  }

  /** {@code future}'s outcome, handed to the pool's context, where what follows it then runs. */
  private <T> Future<T> backHere(Future<T> future) {
    Promise<T> here = Promise.promise();
    future.onComplete(outcome -> context.runOnContext(v -> here.handle(outcome)));
    return here.future();
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

  /**
   * Sends {@code message} to the pool's least busy child as if it had arrived on the pool's
   * type, and completes with the answer: for whoever fronts the pool under another address,
   * such as a coordinator service. May be called from any thread.
   */
  public Future<Object> request(Message message) {
    return onContext(pool -> pool.request(message));
  }

  /** Grows or shrinks the pool. Growing completes when the new children are ready; shrinking when the removed ones have stopped. */
  public Future<Void> resize(int size) {
    try {
      PoolOptions.checkSize(size);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return onContext(pool -> {
      this.pool.setSize(size);
      return pool.resize(size).recover(e -> Future.failedFuture(HandshakeException.publicForm(e)));
    });
  }

  /** The pool's name. */
  public String name() {
    return pool.getName();
  }

  /** The children as they are now: id, state, pid, requests in flight, handler kind, startup time. */
  public Future<JsonArray> children() {
    return onContext(pool -> Future.succeededFuture(pool.children()));
  }

  /** Load figures: children ready, requests in flight and queued, restarts, rejections. */
  public Future<JsonObject> stats() {
    return status().map(PoolStatus::toJson);
  }

  /** The pool's health and load: what a coordinator service registration or a health check publishes. */
  public Future<PoolStatus> status() {
    return onContext(pool -> Future.succeededFuture(pool.status()));
  }

  /** What the children run (the {@code entry} of {@code welcome}; Python: module and function); null before start. */
  public JsonObject entry() {
    PoolSpec started = spec;
    return started == null ? null : started.child().entry().copy();
  }

  /** The private directory holding the children's sockets; null before start. */
  public Path runtimeDirectory() {
    return directory == null ? null : directory.root();
  }

  /** Runs {@code action} on the pool's context, where its state lives. */
  private <T> Future<T> onContext(Function<ChildPool, Future<T>> action) {
    if (children == null) {
      return Future.failedFuture(new IllegalStateException("pool " + pool.getName() + " is not started"));
    }
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.apply(children).onComplete(promise));
    return promise.future();
  }
}
