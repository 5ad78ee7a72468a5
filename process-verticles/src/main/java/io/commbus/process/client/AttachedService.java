package io.commbus.process.client;

import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.Serving;
import io.commbus.process.pool.PoolRequest;
import io.commbus.process.pool.WaitingRequests;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * One type served by clients of this node's endpoint: one handler on the bus, whose requests
 * go to the attached client with the most room (each takes up to its concurrency at once), or
 * wait in a bounded queue under their deadline. Beside a pool of children serving the same type
 * the bus takes turns between the two. Runs on the endpoint's context only.
 */
final class AttachedService {

  /** One client serving the type. */
  private static final class Attached {
    final Serving.Worker worker;
    final int concurrency;
    int inFlight;
    boolean detached;

    Attached(Serving.Worker worker, int concurrency) {
      this.worker = worker;
      this.concurrency = concurrency;
    }
  }

  /** A request and the client it went to, so its answer frees that client's place. */
  private final class Assignment {
    PoolRequest request;
    Attached to;

    void answered() {
      release(this);
    }

    void undelivered(PoolRequest request) {
      release(this);
      dispatch(this);
    }
  }

  private final String type;
  private final HandlerKind kind;
  private final Context context;
  private final ClientEndpointOptions options;
  private final List<Attached> attached = new ArrayList<>();
  private final WaitingRequests<Assignment> queue;
  private Registration registration;

  AttachedService(String type, HandlerKind kind, Context context, ClientEndpointOptions options) {
    this.type = type;
    this.kind = kind;
    this.context = context;
    this.options = options;
    this.queue = new WaitingRequests<>(context.owner());
  }

  HandlerKind kind() {
    return kind;
  }

  void registered(Registration registration) {
    this.registration = registration;
  }

  /** Adds a client; the value removes it again. */
  Runnable attach(Serving.Worker worker, int concurrency) {
    Attached entry = new Attached(worker, concurrency);
    attached.add(entry);
    drain();
    return () -> detach(entry);
  }

  /** Whether no client serves the type any more: the registration is to go. */
  boolean isEmpty() {
    return attached.isEmpty();
  }

  /** Clients serving the type, and requests in flight to them and waiting. */
  int clients() {
    return attached.size();
  }

  int inFlight() {
    return attached.stream().mapToInt(a -> a.inFlight).sum();
  }

  int queued() {
    return queue.size();
  }

  /** Unregisters from the bus and fails what waits: the last client left. */
  Future<Void> close() {
    failQueued(CommBusException.of(ErrorCode.NO_HANDLER, "no client serves " + type + " on this node any more"));
    return registration == null ? Future.succeededFuture() : registration.unregister();
  }

  Future<Object> request(Message message) {
    Promise<Object> reply = Promise.promise();
    dispatch(assignment(message, reply, null));
    return reply.future();
  }

  void stream(Message message, StreamSink<Object> sink) {
    dispatch(assignment(message, null, sink));
  }

  private Assignment assignment(Message message, Promise<Object> reply, StreamSink<Object> sink) {
    Assignment assignment = new Assignment();
    assignment.request = new PoolRequest(message, reply, sink, options.getCallTimeout().toMillis(),
        assignment::answered, assignment::undelivered);
    return assignment;
  }

  private void dispatch(Assignment assignment) {
    Attached free = roomiest();
    if (free != null) {
      send(assignment, free);
      return;
    }
    if (attached.isEmpty()) {
      assignment.request.onError(CommBusException.of(ErrorCode.NO_HANDLER, "no client serves " + type
          + " on this node any more"));
      return;
    }
    if (queue.size() >= options.getMaxQueued()) {
      assignment.request.onError(CommBusException.of(ErrorCode.OVERLOADED, "the clients serving " + type
          + " are at their concurrency and " + queue.size() + " requests wait"));
      return;
    }
    queue.add(assignment, assignment.request.deadlineMillis(), expired -> expired.request.onError(
        CommBusException.of(ErrorCode.TIMEOUT, "no client serving " + type + " had room for the request before its "
            + "deadline")));
  }

  private void send(Assignment assignment, Attached to) {
    assignment.to = to;
    to.inFlight++;
    to.worker.request(assignment.request);
  }

  private void release(Assignment assignment) {
    Attached to = assignment.to;
    assignment.to = null;
    if (to != null) {
      to.inFlight--;
      if (!queue.isEmpty()) {
        context.runOnContext(v -> drain());
      }
    }
  }

  private void drain() {
    Attached free;
    while (!queue.isEmpty() && (free = roomiest()) != null) {
      send(queue.poll(), free);
    }
  }

  /** The attached client with the most free places, or null when every one is at its concurrency. */
  private Attached roomiest() {
    Attached best = null;
    for (Attached candidate : attached) {
      int room = candidate.concurrency - candidate.inFlight;
      if (room > 0 && candidate.worker.isOpen() && (best == null || room > best.concurrency - best.inFlight)) {
        best = candidate;
      }
    }
    return best;
  }

  private void detach(Attached entry) {
    if (entry.detached) {
      return;
    }
    entry.detached = true;
    attached.remove(entry);
    if (attached.isEmpty()) {
      failQueued(CommBusException.of(ErrorCode.NO_HANDLER, "the last client serving " + type + " on this node left"));
    }
  }

  private void failQueued(CommBusException error) {
    for (Assignment assignment : queue.takeAll()) {
      assignment.request.onError(error);
    }
  }
}
