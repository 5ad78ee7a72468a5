package io.commbus.process.pool;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.ChildProcess;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * N children of one kind behind one bus message type: requests go to the least busy ready
 * child ({@link Balancer}), wait in a bounded queue while every child is at its limit, and fail
 * fast when none is left; the {@link Supervisor} keeps the children running. Every method runs
 * on the pool's context.
 */
public final class ChildPool {

  private final Context context;
  private final PoolSpec spec;
  private final Supervisor supervisor;
  private final Balancer balancer;
  private final WaitingRequests<PoolRequest> queue;
  private final Promise<HandlerKind> firstReady = Promise.promise();
  private final Runnable answered = this::answered;
  private final Consumer<PoolRequest> resend = this::dispatch;
  private boolean stopping;
  private long rejected;

  public ChildPool(Context context, CommBus bus, PoolSpec spec, RuntimeDirectory directory, PoolListener events) {
    this.context = context;
    this.queue = new WaitingRequests<>(context.owner());
    this.spec = spec;
    this.balancer = new Balancer(spec.maxInFlight());
    this.supervisor = new Supervisor(context, bus, spec, directory, events, new Supervisor.Pool() {
      @Override
      public void ready(Slot slot, ChildProcess child) {
        firstReady.tryComplete(child.handlerKind());
        drain();
      }

      @Override
      public void allGaveUp() {
        failQueued(unavailable());
      }
    });
  }

  /** Starts the pool's children; completes when every one is ready, or fails with the first slot's failure. */
  public Future<Void> start() {
    return grow(spec.size());
  }

  /** The handler kind of the first child that was ready, once one is. */
  public Future<HandlerKind> firstReady() {
    return firstReady.future();
  }

  /** A query for a child; completes with its answer. */
  public Future<Object> request(Message message) {
    Promise<Object> promise = Promise.promise();
    dispatch(new PoolRequest(message, promise, null, spec.requestTimeout().toMillis(), answered, resend));
    return promise.future();
  }

  /** A query stream for a child; its items go to {@code sink}. */
  public void stream(Message message, StreamSink<Object> sink) {
    dispatch(new PoolRequest(message, null, sink, spec.requestTimeout().toMillis(), answered, resend));
  }

  /** Refuses new requests, fails the queued ones with UNAVAILABLE and stops every child gracefully. */
  public Future<Void> stop() {
    stopping = true;
    failQueued(new CommBusException(ErrorCode.UNAVAILABLE, "pool " + spec.name() + " is stopping"));
    return supervisor.stopAll();
  }

  /** Grows or shrinks the pool to {@code size} children. */
  public Future<Void> resize(int size) {
    List<Slot> active = supervisor.active();
    if (size > active.size()) {
      return grow(size - active.size());
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (int i = active.size() - 1; i >= size; i--) {
      stops.add(supervisor.retire(active.get(i)));
    }
    return Future.join(stops).mapEmpty();
  }

  private Future<Void> grow(int added) {
    List<Future<HandlerKind>> starts = new ArrayList<>();
    for (int i = 0; i < added; i++) {
      starts.add(supervisor.addSlot());
    }
    // Fails as soon as one start fails, with the failure of the first slot that has failed by then.
    return Future.all(starts).transform(ar -> {
      if (ar.succeeded()) {
        return Future.succeededFuture();
      }
      for (Future<HandlerKind> start : starts) {
        if (start.failed()) {
          return Future.failedFuture(start.cause());
        }
      }
      return Future.failedFuture(ar.cause());
    });
  }

  /** Each child as it is now: id, state, pid, requests in flight, handler kind, startup time, failures. */
  public JsonArray children() {
    JsonArray children = new JsonArray();
    for (Slot slot : supervisor.active()) {
      children.add(slot.describe());
    }
    return children;
  }

  /** The pool's health and load now. */
  public PoolStatus status() {
    int size = 0;
    int ready = 0;
    int inFlight = 0;
    int givenUp = 0;
    LastExit lastExit = null;
    Instant nextRetry = null;
    for (Slot slot : supervisor.active()) {
      size++;
      if (slot.serving()) {
        ready++;
        inFlight += slot.child.inFlight();
      }
      if (slot.gaveUp) {
        givenUp++;
      }
      if (slot.lastExit != null && (lastExit == null || slot.lastExit.at().isAfter(lastExit.at()))) {
        lastExit = slot.lastExit;
      }
      if (slot.restartAt != null && (nextRetry == null || slot.restartAt.isBefore(nextRetry))) {
        nextRetry = slot.restartAt;
      }
    }
    return new PoolStatus(spec.name(), spec.type(), size, ready, inFlight, queue.size(), supervisor.restarts(),
        rejected, size * spec.maxInFlight(), firstReady.future().result(), givenUp,
        lastExit, nextRetry);
  }

  private void dispatch(PoolRequest request) {
    if (stopping) {
      request.onError(new CommBusException(ErrorCode.UNAVAILABLE, "pool " + spec.name() + " is stopping"));
      return;
    }
    ChildProcess child = balancer.leastBusy(supervisor.slots());
    if (child != null) {
      child.request(request);
      return;
    }
    if (supervisor.allDone()) {
      request.onError(unavailable());
      return;
    }
    if (queue.size() >= spec.maxQueued()) {
      rejected++;
      int children = supervisor.slots().size();
      request.onError(CommBusException.of(ErrorCode.OVERLOADED, "pool " + spec.name() + " is full: " + children
          + (children == 1 ? " child" : " children") + " with maxInFlight " + spec.maxInFlight() + " each and "
          + queue.size() + " requests queued (maxQueued); it takes a burst of size × maxInFlight + maxQueued = "
          + ((long) children * spec.maxInFlight() + spec.maxQueued()) + " requests at once: raise maxQueued, "
          + "or size, for larger bursts"));
      return;
    }
    queue.add(request, request.deadlineMillis(), expired -> expired.onError(CommBusException.of(ErrorCode.TIMEOUT,
        "pool " + spec.name() + " had no free child for " + expired.type() + " before its deadline")));
  }

  /** A request was answered: a queued one may take its place, once the answer has left. */
  private void answered() {
    if (!queue.isEmpty()) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    while (!queue.isEmpty()) {
      ChildProcess child = balancer.leastBusy(supervisor.slots());
      if (child == null) {
        return;
      }
      child.request(queue.poll());
    }
  }

  private void failQueued(CommBusException error) {
    for (PoolRequest request : queue.takeAll()) {
      request.onError(error);
    }
  }

  private CommBusException unavailable() {
    return new CommBusException(ErrorCode.UNAVAILABLE, "pool " + spec.name()
        + " has no child left: every one failed more than " + spec.restarts().maxRestarts()
        + " times in a row, and is tried again every " + spec.restarts().givenUpRetry().toMillis() + " ms");
  }
}
