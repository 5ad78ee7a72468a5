package io.commbus.process.internal;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.stream.CreditWindow;
import io.commbus.process.CallbackPaths;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parent's end of one child connection after the handshake: it multiplexes the parent's
 * requests and the child's calls over one socket, matched by correlation ids, with credit
 * on every stream (see docs/protocol.md). Everything runs on the verticle's context.
 *
 * <p>Outgoing frames are gathered and written once per event-loop turn, and stream items
 * that are ready together leave as one {@code items} frame: that is what keeps a busy
 * connection from making one system call per item.
 */
public final class ChildConnection {

  /** What the connection reports to the child's supervisor. */
  public interface Listener {
    /** The child broke the protocol; the connection is already closed. */
    void protocolError(CommBusException error);

    /** A request passed its deadline: the child may be hung. */
    void deadlineMissed();

    /** The socket closed, whoever closed it. */
    void closed();
  }

  private final Context context;
  private final NetSocket socket;
  private final CommBus bus;
  private final String childId;
  private final int window;
  private final Duration defaultTimeout;
  private final Listener listener;

  private final Map<Long, Outbound> outbound = new HashMap<>();
  private final Map<Long, Inbound> inbound = new HashMap<>();
  private final Map<Long, Promise<Void>> pings = new HashMap<>();
  private final Set<StreamCall> dirtyStreams = new LinkedHashSet<>();
  private Buffer pendingWrites = Buffer.buffer();
  private boolean flushScheduled;
  private long nextRequestId = 1;
  private long nextPingId = 1;
  private boolean closed;

  public ChildConnection(Context context, NetSocket socket, CommBus bus, String childId, int window,
                         Duration defaultTimeout, Listener listener) {
    this.context = context;
    this.socket = socket;
    this.bus = bus;
    this.childId = childId;
    this.window = window;
    this.defaultTimeout = defaultTimeout;
    this.listener = listener;
    socket.closeHandler(v -> onClosed());
  }

  /** Feeds one frame received after the handshake. */
  public void handle(Frame frame) {
    if (closed) {
      return;
    }
    try {
      switch (frame.kind()) {
        case "res":
        case "item":
        case "items":
        case "end":
        case "err":
          answer(frame);
          break;
        case "call":
          call(frame);
          break;
        case "credit":
          credit(frame);
          break;
        case "cancel":
          cancelInbound(frame.id());
          break;
        case "pong":
          Promise<Void> ping = pings.remove(frame.id());
          if (ping != null) {
            ping.tryComplete();
          }
          break;
        default:
          protocolError(frame.kind() + " frame is not allowed after the handshake");
      }
    } catch (DecodeException e) {
      protocolError(frame.kind() + " frame has a body that is not valid JSON: " + e.getMessage());
    } catch (ClassCastException | NullPointerException e) {
      protocolError(frame.kind() + " frame has a malformed header " + frame.header().encode());
    }
  }

  /** Sends a request; the exchange hears the answer. */
  public void request(Exchange exchange) {
    if (closed) {
      exchange.onError(new CommBusException(ErrorCode.CHILD_EXITED, "child " + childId + " is not connected"));
      return;
    }
    long id = nextRequestId++;
    JsonObject header = new JsonObject().put("t", "req").put("id", id).put("type", exchange.type());
    if (exchange.traceparent() != null) {
      header.put("tp", exchange.traceparent());
    }
    header.put("dl", exchange.deadlineMillis());
    if (exchange.streamed()) {
      header.put("credit", window);
    }
    Outbound pending = new Outbound(id, exchange);
    outbound.put(id, pending);
    long delay = Math.max(1, exchange.deadlineMillis() - System.currentTimeMillis());
    pending.timer = context.owner().setTimer(delay, t -> deadlinePassed(pending));
    exchange.onCallerCancel(() -> {
      if (outbound.remove(id) != null) {
        pending.cancelTimer();
        write(Frame.of("cancel", id));
      }
    });
    write(Frame.withValue(header, exchange.payload()));
  }

  /** Sends a liveness ping; the future completes when the child's loop answers. */
  public Future<Void> ping() {
    Promise<Void> promise = Promise.promise();
    long id = nextPingId++;
    pings.put(id, promise);
    write(new Frame(new JsonObject().put("t", "ping").put("id", id), null));
    return promise.future();
  }

  /** Asks the child to finish its work within {@code grace} and exit. */
  public void bye(Duration grace) {
    write(new Frame(new JsonObject().put("t", "bye").put("grace", grace.toMillis()), null));
  }

  /** Requests still waiting for an answer. */
  public int inFlight() {
    return outbound.size();
  }

  /** Fails every exchange in either direction with {@code error} and closes the socket. */
  public void shutdown(CommBusException error) {
    if (!closed) {
      flush();
    }
    closed = true;
    failAll(error);
    socket.close();
  }

  private void failAll(CommBusException error) {
    List<Outbound> requests = new ArrayList<>(outbound.values());
    outbound.clear();
    for (Outbound pending : requests) {
      pending.cancelTimer();
      pending.exchange.onError(error);
    }
    List<Inbound> calls = new ArrayList<>(inbound.values());
    inbound.clear();
    for (Inbound call : calls) {
      call.stop();
    }
    pings.clear();
  }

  private void onClosed() {
    if (!closed) {
      closed = true;
    }
    listener.closed();
  }

  private void deadlinePassed(Outbound pending) {
    if (outbound.remove(pending.id) == null) {
      return;
    }
    long allowed = pending.exchange.deadlineMillis() - pending.sentAt;
    pending.exchange.onError(CommBusException.of(ErrorCode.TIMEOUT, "child " + childId + " did not answer "
        + pending.exchange.type() + " within " + allowed + " ms"));
    write(Frame.of("cancel", pending.id));
    listener.deadlineMissed();
  }

  // ---- answers from the child to the parent's requests

  private void answer(Frame frame) {
    long id = frame.id();
    Outbound pending = outbound.get(id);
    if (pending == null) {
      return; // answered after a cancel or timeout: expected, see the protocol
    }
    Exchange exchange = pending.exchange;
    switch (frame.kind()) {
      case "res":
        finish(pending);
        exchange.onValue(frame.value());
        break;
      case "item":
        itemsArrived(pending, 1);
        exchange.onItem(frame.value(), pending::consumed);
        break;
      case "items": {
        Object value = frame.value();
        if (!(value instanceof JsonArray)) {
          protocolError("items frame body is not a JSON array");
          return;
        }
        JsonArray items = (JsonArray) value;
        Number declared = frame.header().getNumber("n");
        if (declared != null && declared.intValue() != items.size()) {
          protocolError("items frame declares " + declared + " items but carries " + items.size());
          return;
        }
        itemsArrived(pending, items.size());
        for (int i = 0; i < items.size() && outbound.containsKey(id); i++) {
          exchange.onItem(items.getValue(i), pending::consumed);
        }
        break;
      }
      case "end":
        finish(pending);
        exchange.onEnd();
        break;
      default: // err
        finish(pending);
        exchange.onError(errorOf(frame.header()));
    }
  }

  private void itemsArrived(Outbound pending, int count) {
    if (!pending.exchange.streamed()) {
      return; // a plain request answered with items; the exchange reports it
    }
    pending.credit -= count;
    if (pending.credit < 0) {
      protocolError("child sent " + (-pending.credit) + " stream items beyond its credit for request " + pending.id);
    }
  }

  private void finish(Outbound pending) {
    outbound.remove(pending.id);
    pending.cancelTimer();
  }

  static CommBusException errorOf(JsonObject header) {
    ErrorCode code = ErrorCode.fromName(header.getString("code"));
    String message = header.getString("message", code.name());
    return CommBusException.of(code, message, header.getString("etype"), header.getString("traceback"));
  }

  private final class Outbound {
    final long id;
    final Exchange exchange;
    final long sentAt = System.currentTimeMillis();
    long timer = -1;
    int credit = window;
    final CreditWindow grants = new CreditWindow(window);

    Outbound(long id, Exchange exchange) {
      this.id = id;
      this.exchange = exchange;
    }

    void cancelTimer() {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    }

    /** An item left for its consumer: return credit to the child in batches of half a window. */
    void consumed() {
      if (!outbound.containsKey(id)) {
        return;
      }
      int due = grants.takenOneThenDue();
      if (due > 0) {
        credit += due;
        write(new Frame(new JsonObject().put("t", "credit").put("id", id).put("n", due), null));
      }
    }
  }

  // ---- calls from the child onto the bus

  private void call(Frame frame) {
    JsonObject header = frame.header();
    long id = frame.id();
    String op = header.getString("op");
    String type = header.getString("type");
    if (id <= 0 || op == null || type == null || type.isBlank()) {
      protocolError("call frame needs a positive id, an op and a type: " + header.encode());
      return;
    }
    if (inbound.containsKey(id)) {
      protocolError("call id " + id + " is already in use");
      return;
    }
    Object payload = frame.value();
    Duration timeout = timeoutOf(header);
    int credit = header.getInteger("credit", window);
    try (Scope ignored = TraceScope.enter(header.getString("tp"))) {
      switch (op) {
        case "publish":
          unary(id, bus.publish(Message.of(io.commbus.bus.Category.EVENT, type, body(type, payload)))
              .map(position -> new JsonObject().put("position", position)));
          break;
        case "send":
          unary(id, bus.send(Message.of(io.commbus.bus.Category.COMMAND, type, body(type, payload))).map(v -> null));
          break;
        case "query":
          unary(id, bus.query(Message.of(io.commbus.bus.Category.QUERY, type, body(type, payload)), timeout)
              .map(Message::body));
          break;
        case "stream":
          stream(id, credit, Message.of(io.commbus.bus.Category.QUERY, type, body(type, payload)), timeout);
          break;
        case "callback":
          stream(id, credit, Message.of(io.commbus.bus.Category.QUERY, CallbackPaths.messageType(type),
              body(type, payload)), timeout);
          break;
        case "subscribe":
          subscribe(id, credit, type);
          break;
        default:
          sendError(id, new CommBusException(ErrorCode.INVALID_MESSAGE, "unknown call op \"" + op + "\""));
      }
    } catch (CommBusException e) {
      inbound.remove(id);
      sendError(id, e);
    } catch (RuntimeException e) {
      inbound.remove(id);
      sendError(id, CommBusException.wrap(e, ErrorCode.INTERNAL));
    }
  }

  private Duration timeoutOf(JsonObject header) {
    long millis = defaultTimeout.toMillis();
    Number timeout = header.getNumber("timeout");
    if (timeout != null && timeout.longValue() > 0) {
      millis = timeout.longValue();
    }
    Number deadline = header.getNumber("dl");
    if (deadline != null) {
      millis = Math.min(millis, Math.max(1, deadline.longValue() - System.currentTimeMillis()));
    }
    return Duration.ofMillis(millis);
  }

  private static Object body(String type, Object payload) {
    if (payload == null || payload instanceof JsonObject || payload instanceof Buffer) {
      return payload;
    }
    throw new CommBusException(ErrorCode.INVALID_MESSAGE, "the payload of " + type
        + " must be a JSON object or bytes, not a JSON " + payload.getClass().getSimpleName());
  }

  private void unary(long id, Future<Object> result) {
    Unary call = new Unary();
    inbound.put(id, call);
    result.onComplete(ar -> {
      if (inbound.remove(id) != call) {
        return; // cancelled by the child
      }
      if (ar.succeeded()) {
        JsonObject header = new JsonObject().put("t", "res").put("id", id);
        write(Frame.withValue(header, ar.result()));
      } else {
        sendError(id, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
      }
    });
  }

  private void stream(long id, int credit, Message query, Duration timeout) {
    StreamCall call = new StreamCall(id);
    inbound.put(id, call);
    bus.queryStream(query, timeout).onComplete(ar -> {
      if (inbound.get(id) != call) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed()) {
        inbound.remove(id);
        sendError(id, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        return;
      }
      call.open(ar.result(), credit);
    });
  }

  private void subscribe(long id, int credit, String type) {
    Subscription call = new Subscription(id, credit);
    inbound.put(id, call);
    call.registration = bus.subscribe(type, call::deliver);
  }

  private void credit(Frame frame) {
    Inbound call = inbound.get(frame.id());
    Number n = frame.header().getNumber("n");
    if (n == null || n.intValue() <= 0) {
      protocolError("credit frame needs a positive n: " + frame.header().encode());
      return;
    }
    if (call != null) {
      call.credit(n.intValue());
    }
  }

  private void cancelInbound(long id) {
    Inbound call = inbound.remove(id);
    if (call != null) {
      call.stop();
    }
  }

  private void sendError(long id, CommBusException error) {
    JsonObject header = new JsonObject().put("t", "err").put("id", id).put("code", error.code().name())
        .put("message", error.getMessage() == null ? error.code().name() : error.getMessage());
    if (error.remoteType() != null) {
      header.put("etype", error.remoteType());
    }
    if (error.remoteTrace() != null) {
      header.put("traceback", error.remoteTrace());
    }
    write(new Frame(header, null));
  }

  /** A call the child started. */
  private interface Inbound {
    default void credit(int n) {
    }

    /** The child cancelled or the connection ended: release what the call holds. */
    void stop();
  }

  private static final class Unary implements Inbound {
    @Override
    public void stop() {
      // the bus call completes on its own; its answer is dropped
    }
  }

  /**
   * A bus stream forwarded to the child as it grants credit, batched per event-loop turn. The
   * child's credit is counted here as well as turned into bus demand, so a bus stream that
   * delivers a little ahead of demand can never make the parent overrun the child.
   */
  private final class StreamCall implements Inbound {
    final long id;
    final ArrayDeque<Object> ready = new ArrayDeque<>();
    QueryStream<Message> stream;
    long credit;
    boolean ended;
    CommBusException failure;

    StreamCall(long id) {
      this.id = id;
    }

    void open(QueryStream<Message> opened, int initialCredit) {
      this.stream = opened;
      this.credit = initialCredit;
      opened.pause();
      opened.handler(item -> {
        ready.add(item.body() == null ? NULL_ITEM : item.body());
        markDirty(this);
      });
      opened.endHandler(v -> {
        ended = true;
        markDirty(this);
      });
      opened.exceptionHandler(e -> {
        failure = CommBusException.wrap(e, ErrorCode.INTERNAL);
        markDirty(this);
      });
      opened.fetch(initialCredit);
    }

    @Override
    public void credit(int n) {
      credit += n;
      if (stream != null) {
        stream.fetch(n);
      }
      if (!ready.isEmpty()) {
        markDirty(this);
      }
    }

    @Override
    public void stop() {
      if (stream != null && !ended && failure == null) {
        stream.cancel();
      }
      dirtyStreams.remove(this);
    }

    /** Writes what is ready and granted: JSON items together, bytes one per frame, then the end or error. */
    void drainInto() {
      if (inbound.get(id) != this) {
        return;
      }
      List<Object> batch = new ArrayList<>();
      while (credit > 0 && !ready.isEmpty()) {
        Object item = ready.removeFirst();
        credit--;
        if (item instanceof Buffer) {
          writeJsonItems(batch);
          batch.clear();
          encode(Frame.withValue(new JsonObject().put("t", "item").put("id", id), item));
        } else {
          batch.add(item == NULL_ITEM ? null : item);
        }
      }
      writeJsonItems(batch);
      if (!ready.isEmpty()) {
        return; // the rest waits for credit; the end or error goes after it
      }
      if (failure != null) {
        inbound.remove(id);
        sendError(id, failure);
      } else if (ended) {
        inbound.remove(id);
        encode(Frame.of("end", id));
      }
    }

    private void writeJsonItems(List<Object> items) {
      if (items.isEmpty()) {
        return;
      }
      if (items.size() == 1) {
        encode(Frame.withValue(new JsonObject().put("t", "item").put("id", id), items.get(0)));
        return;
      }
      JsonObject header = new JsonObject().put("t", "items").put("id", id).put("n", items.size()).put("b", Frame.JSON);
      encode(new Frame(header, new JsonArray(new ArrayList<>(items)).toBuffer()));
    }
  }

  /** Stands for a null item in the queue, which cannot hold null. */
  private static final Object NULL_ITEM = new Object();

  /** Bus events for the child; it cannot slow publishers, so a bounded buffer covers slow children. */
  private final class Subscription implements Inbound {
    static final int BUFFER = 1024;
    final long id;
    final ArrayDeque<Message> buffered = new ArrayDeque<>();
    int credit;
    Registration registration;

    Subscription(long id, int credit) {
      this.id = id;
      this.credit = credit;
    }

    void deliver(Message event) {
      if (inbound.get(id) != this) {
        return;
      }
      if (credit > 0 && buffered.isEmpty()) {
        credit--;
        send(event);
      } else if (buffered.size() < BUFFER) {
        buffered.add(event);
      } else {
        inbound.remove(id);
        stop();
        sendError(id, CommBusException.of(ErrorCode.OVERLOADED, "subscription to " + event.type() + " fell "
            + BUFFER + " events behind and was ended"));
      }
    }

    private void send(Message event) {
      JsonObject header = new JsonObject().put("t", "item").put("id", id).put("type", event.type())
          .put("pos", event.position());
      write(Frame.withValue(header, event.body()));
    }

    @Override
    public void credit(int n) {
      credit += n;
      while (credit > 0 && !buffered.isEmpty()) {
        credit--;
        send(buffered.removeFirst());
      }
    }

    @Override
    public void stop() {
      if (registration != null) {
        registration.unregister();
      }
    }
  }

  // ---- writing

  private void markDirty(StreamCall call) {
    dirtyStreams.add(call);
    scheduleFlush();
  }

  private void write(Frame frame) {
    if (closed) {
      return;
    }
    encode(frame);
    scheduleFlush();
  }

  private void encode(Frame frame) {
    FrameCodec.encode(frame, pendingWrites);
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  private void flush() {
    flushScheduled = false;
    if (!dirtyStreams.isEmpty()) {
      List<StreamCall> streams = new ArrayList<>(dirtyStreams);
      dirtyStreams.clear();
      for (StreamCall call : streams) {
        call.drainInto();
      }
    }
    if (closed || pendingWrites.length() == 0) {
      return;
    }
    Buffer out = pendingWrites;
    pendingWrites = Buffer.buffer(Math.max(256, Math.min(out.length(), 64 * 1024)));
    socket.write(out);
  }

  private void protocolError(String message) {
    if (closed) {
      return;
    }
    CommBusException error = new CommBusException(ErrorCode.PROTOCOL, "child " + childId + ": " + message);
    shutdown(error);
    listener.protocolError(error);
  }

  /** Reports a protocol error found outside the connection (by the frame parser). */
  public void protocolError(CommBusException error) {
    protocolError(error.getMessage());
  }

  /** Exposed for the supervisor: the handler for parsed frames. */
  public Handler<Frame> frameHandler() {
    return this::handle;
  }
}
