package io.commbus.process.child;

import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameTooLarge;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.CallOp;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.commbus.process.wire.ProtocolViolation;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The calls one peer (a child, or a client) makes onto the bus ({@code call} frames: callback,
 * publish, send, query, stream, subscribe, and for clients serve), each answered under the
 * peer's credit and cancelled by its {@code cancel}. A malformed call throws a
 * {@link ProtocolViolation}; a call the bus or the peer's {@link CallGate} refuses is answered
 * with {@code err}. Runs on the connection's context only.
 */
final class ChildCalls {

  private static final System.Logger LOG = System.getLogger(ChildCalls.class.getName());

  private final CommBus bus;
  private final FrameWriter writer;
  private final int window;
  private final Duration defaultTimeout;
  private final UnaryOperator<String> callbackType;
  private final CallGate gate;
  private final Serving serving;
  private final Serving.Worker self;
  private final int maxOpen;
  private final int maxCredit;
  private final Map<Long, InboundCall> open = new HashMap<>();

  /** {@code self}: this connection, as the worker a {@code serve} call attaches. */
  ChildCalls(CommBus bus, FrameWriter writer, ConnectionSpec spec, Serving.Worker self) {
    this.bus = bus;
    this.writer = writer;
    this.window = spec.streamWindow();
    this.defaultTimeout = spec.callTimeout();
    this.callbackType = spec.callbackType();
    this.gate = spec.gate();
    this.serving = spec.serving();
    this.self = self;
    this.maxOpen = spec.maxOpenCalls();
    this.maxCredit = spec.maxCredit();
  }

  /** Starts the call a {@code call} frame asks for. */
  void call(Frame frame) {
    long id = Headers.requirePositiveLong(frame, Protocol.ID);
    String opName = Headers.requireString(frame, Protocol.OP);
    CallOp op = CallOp.fromWireName(opName);
    if (op == null) {
      throw new ProtocolViolation("call frame has unknown op \"" + opName + "\"");
    }
    String type = Headers.requireNonBlank(frame, Protocol.TYPE);
    if (open.containsKey(id)) {
      throw new ProtocolViolation("call id " + id + " is already in use");
    }
    Object payload = frame.value();
    Duration timeout = timeoutOf(frame);
    int credit = Math.min(Headers.optionalPositiveInt(frame, Protocol.CREDIT, window), maxCredit);
    // Read before the try: a malformed field is the child's protocol violation, not this call's error.
    String traceparent = Headers.optionalString(frame, Protocol.TRACEPARENT);
    if (open.size() >= maxOpen) {
      writer.write(ErrorFrames.of(id, CommBusException.of(ErrorCode.OVERLOADED, "this connection already has "
          + maxOpen + " calls open; " + op.wireName() + " " + type + " was not started")));
      return;
    }
    try (Scope ignored = TraceScope.enter(traceparent)) {
      gate.check(op, type);
      switch (op) {
        case PUBLISH: {
          Message event = Message.of(Category.EVENT, type, body(type, payload));
          String eventId = Headers.optionalString(frame, Protocol.MESSAGE_ID);
          unary(id, bus.publish(eventId == null ? event : event.withId(eventId))
              .map(position -> new JsonObject().put(Protocol.PUBLISHED_POSITION, position)));
          break;
        }
        case SEND:
          unary(id, bus.send(Message.of(Category.COMMAND, type, body(type, payload))).map(v -> null));
          break;
        case QUERY:
          unary(id, bus.query(Message.of(Category.QUERY, type, body(type, payload)), timeout).map(Message::body));
          break;
        case STREAM:
          stream(id, credit, Message.of(Category.QUERY, type, body(type, payload)), timeout, null);
          break;
        case CALLBACK:
          stream(id, credit, Message.of(Category.QUERY, callbackType.apply(type), body(type, payload)), timeout,
              type);
          break;
        case SUBSCRIBE:
          subscribe(id, credit, type);
          break;
        case REPLAY:
          replay(id, credit, type, Headers.requirePositiveLong(frame, Protocol.FROM));
          break;
        case SERVE:
          serve(id, frame, type);
          break;
        case GROUP:
          group(id, frame, type);
          break;
        default:
          throw new IllegalStateException("call op " + op + " has no handling");
      }
    } catch (ProtocolViolation e) {
      open.remove(id);
      throw e; // a malformed field of an op's own: the peer's violation, as the ones read above
    } catch (CommBusException e) {
      open.remove(id);
      writer.write(ErrorFrames.of(id, e));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a " + op.wireName() + " call to " + type
          + " failed before it reached the bus", e);
      open.remove(id);
      writer.write(ErrorFrames.of(id, CommBusException.wrap(e, ErrorCode.INTERNAL)));
    }
  }

  /** The child granted more items on a call it started. */
  void credit(Frame frame) {
    long id = Headers.requireLong(frame, Protocol.ID);
    int n = Math.min(Headers.requirePositiveInt(frame, Protocol.COUNT), maxCredit);
    InboundCall call = open.get(id);
    if (call != null) {
      call.credit(n);
    }
  }

  /** The child cancelled a call it started. */
  void cancel(Frame frame) {
    InboundCall call = open.remove(Headers.requireLong(frame, Protocol.ID));
    if (call != null) {
      call.stop();
    }
  }

  /** The connection ended: every call releases what it holds. */
  void stopAll() {
    List<InboundCall> calls = new ArrayList<>(open.values());
    open.clear();
    for (InboundCall call : calls) {
      call.stop();
    }
  }

  /** Whether {@code call} still serves exchange {@code id}. */
  boolean isOpen(long id, InboundCall call) {
    return open.get(id) == call;
  }

  /** Ends exchange {@code id}, served by {@code call}, with {@code error}; nothing if it already ended. */
  void fail(long id, InboundCall call, CommBusException error) {
    if (open.remove(id, call)) {
      writer.write(ErrorFrames.of(id, error));
    }
  }

  /** Forgets exchange {@code id} once {@code call} has written its last frame. */
  void finished(long id, InboundCall call) {
    open.remove(id, call);
  }

  private Duration timeoutOf(Frame frame) {
    long millis = defaultTimeout.toMillis();
    long timeout = Headers.optionalLong(frame, Protocol.TIMEOUT, 0);
    if (timeout > 0) {
      millis = timeout;
    }
    long deadline = Headers.optionalLong(frame, Protocol.DEADLINE, -1);
    if (deadline >= 0) {
      millis = Math.min(millis, Math.max(1, deadline - System.currentTimeMillis()));
    }
    return Duration.ofMillis(millis);
  }

  /** What the bus accepts as a body; anything else is the child's invalid message, answered, not fatal. */
  private static Object body(String type, Object payload) {
    if (payload == null || payload instanceof JsonObject || payload instanceof Buffer) {
      return payload;
    }
    throw new CommBusException(ErrorCode.INVALID_MESSAGE, "the payload of " + type
        + " must be a JSON object or bytes, not a JSON " + payload.getClass().getSimpleName());
  }

  private void unary(long id, Future<Object> result) {
    InboundCall call = () -> {
      // the bus call completes on its own; its answer is dropped
    };
    open.put(id, call);
    result.onComplete(ar -> {
      if (!open.remove(id, call)) {
        return; // cancelled by the child
      }
      if (ar.succeeded()) {
        try {
          writer.write(Frame.withValue(FrameKind.RES, id, ar.result()));
        } catch (FrameTooLarge e) {
          writer.write(ErrorFrames.of(id, e)); // the child hears why this call failed, and goes on
        }
      } else {
        writer.write(ErrorFrames.of(id, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL)));
      }
    });
  }

  /** {@code callbackPath}: the path of a callback call, for its error when nobody handles it; null for a stream. */
  private void stream(long id, int credit, Message query, Duration timeout, String callbackPath) {
    ForwardedStream call = new ForwardedStream(id, this, writer);
    open.put(id, call);
    bus.queryStream(query, timeout).onComplete(ar -> {
      if (!isOpen(id, call)) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed()) {
        CommBusException error = CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL);
        if (callbackPath != null && error.code() == ErrorCode.NO_HANDLER) {
          error = CommBusException.of(ErrorCode.NO_HANDLER, "no node of the bus has a handler for callback "
              + callbackPath + " (register a CallbackHandler for it: CallbackRegistry.register, or the node's "
              + "callbackHandlers)");
        }
        fail(id, call, error);
        return;
      }
      call.open(ar.result(), credit);
    });
  }

  private void serve(long id, Frame frame, String type) {
    String kindName = Headers.requireString(frame, Protocol.HANDLER_KIND);
    HandlerKind kind = HandlerKind.fromWireName(kindName);
    if (kind == null) {
      throw new ProtocolViolation("serve call has unknown handler kind \"" + kindName + "\"");
    }
    int concurrency = concurrency(frame);
    if (serving == null) {
      throw CommBusException.of(ErrorCode.REJECTED, "a child serves its entry function through its pool; serve is for "
          + "clients of the node's client endpoint");
    }
    attached(id, type, serving.attach(type, kind, concurrency, self));
  }

  private void group(long id, Frame frame, String group) {
    Set<String> types = Headers.optionalNonBlankStrings(frame, Protocol.TYPES);
    gate.checkGroupTypes(group, types);
    int concurrency = concurrency(frame);
    if (serving == null) {
      throw CommBusException.of(ErrorCode.REJECTED, "consumer groups of children are configured on the node; the "
          + "group call is for clients of the node's client endpoint");
    }
    attached(id, group, serving.joinGroup(group, types, concurrency, self));
  }

  /** A serve or group call's concurrency: at most {@link Protocol#MAX_CONCURRENCY}, which bounds what one call may hold. */
  private static int concurrency(Frame frame) {
    int concurrency = Headers.optionalPositiveInt(frame, Protocol.CONCURRENCY, Protocol.DEFAULT_CONCURRENCY);
    if (concurrency > Protocol.MAX_CONCURRENCY) {
      throw CommBusException.of(ErrorCode.INVALID_MESSAGE, "concurrency " + concurrency + " is over the most, "
          + Protocol.MAX_CONCURRENCY);
    }
    return concurrency;
  }

  /** Answers a serve or group call with its one item once {@code attaching} completes; the call's end undoes it. */
  private void attached(long id, String name, Future<Runnable> attaching) {
    ServeCall call = new ServeCall();
    open.put(id, call);
    attaching.onComplete(ar -> {
      if (!isOpen(id, call)) {
        if (ar.succeeded()) {
          ar.result().run(); // cancelled, or the connection ended, while attaching
        }
        return;
      }
      if (ar.failed()) {
        fail(id, call, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        return;
      }
      call.detach = ar.result();
      writer.write(Frame.withValue(FrameKind.ITEM, id, new JsonObject().put(Protocol.SERVING, name)));
    });
  }

  /** A {@code serve} or {@code group} call: open while the peer serves the type or is in the group; its end undoes it. */
  private static final class ServeCall implements InboundCall {
    Runnable detach;

    @Override
    public void stop() {
      if (detach != null) {
        detach.run();
        detach = null;
      }
    }
  }

  private void replay(long id, int credit, String type, long from) {
    ForwardedReplay call = new ForwardedReplay(id, credit, this, writer);
    open.put(id, call);
    call.follow(bus.subscribeFrom(type, from, call::deliver));
  }

  private void subscribe(long id, int credit, String type) {
    ForwardedSubscription call = new ForwardedSubscription(id, credit, this, writer);
    open.put(id, call);
    call.registration = bus.subscribe(type, call::deliver);
  }
}
