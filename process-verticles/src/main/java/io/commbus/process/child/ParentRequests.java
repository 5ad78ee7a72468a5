package io.commbus.process.child;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.stream.CreditWindow;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameTooLarge;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests the parent sent to one child and their answers: {@code req} out, then
 * {@code res}, or {@code item}/{@code items} under credit and {@code end}, or {@code err}; a
 * deadline and cancellation for each. An answer that breaks the rules throws a
 * {@link ProtocolViolation}. Runs on the connection's context only.
 */
final class ParentRequests {

  private static final System.Logger LOG = System.getLogger(ParentRequests.class.getName());

  private final Context context;
  private final FrameWriter writer;
  /** Who is at the other end, as messages name it: "child trading#2", "client web#3". */
  private final String peer;
  private final int window;
  private final Runnable deadlineMissed;
  private final Map<Long, Outbound> outbound = new HashMap<>();
  private long nextId = 1;

  /** {@code deadlineMissed} hears of every request that passed its deadline: the child may be hung. */
  ParentRequests(Context context, FrameWriter writer, String peer, int window, Runnable deadlineMissed) {
    this.context = context;
    this.writer = writer;
    this.peer = peer;
    this.window = window;
    this.deadlineMissed = deadlineMissed;
  }

  /** Sends a request; the exchange hears the answer. */
  void send(Exchange exchange) {
    long id = nextId++;
    JsonObject header = Frame.header(FrameKind.REQ, id).put(Protocol.TYPE, exchange.type());
    if (exchange.traceparent() != null) {
      header.put(Protocol.TRACEPARENT, exchange.traceparent());
    }
    header.put(Protocol.DEADLINE, exchange.deadlineMillis());
    exchange.addToHeader(header);
    if (exchange.streamed()) {
      header.put(Protocol.CREDIT, window);
    }
    long queuedAtWrite = writer.writes();
    try {
      writer.write(Frame.withValue(FrameKind.REQ, header, exchange.payload()));
    } catch (FrameTooLarge e) {
      exchange.onError(e); // never sent: this request alone fails
      return;
    }
    Outbound pending = new Outbound(id, exchange, queuedAtWrite);
    outbound.put(id, pending);
    long delay = Math.max(1, exchange.deadlineMillis() - System.currentTimeMillis());
    pending.timer = context.owner().setTimer(delay, t -> deadlinePassed(pending));
    exchange.onCallerCancel(() -> {
      if (outbound.remove(id) != null) {
        pending.cancelTimer();
        writer.write(Frame.of(FrameKind.CANCEL, id));
      }
    });
  }

  /** Requests still waiting for an answer. */
  int inFlight() {
    return outbound.size();
  }

  /** Feeds a {@code res}, {@code item}, {@code items}, {@code end} or {@code err} frame. */
  void answer(Frame frame) {
    long id = Headers.requireLong(frame, Protocol.ID);
    Outbound pending = outbound.get(id);
    if (pending == null) {
      return; // answered after a cancel or timeout: expected, see the protocol
    }
    Exchange exchange = pending.exchange;
    // What the frame says is read first: a malformed answer is the child's protocol violation.
    // What the exchange then does with it is this side's work, and a failure there (a bug of
    // ours) ends that one exchange, not the child and every other request it is serving.
    switch (frame.kind()) {
      case RES: {
        Object value = frame.value();
        finish(pending);
        try {
          exchange.onValue(value);
        } catch (RuntimeException e) {
          deliveryFailed(pending, e);
        }
        break;
      }
      case ITEM: {
        itemsArrived(pending, 1);
        Object value = frame.value();
        try {
          exchange.onItem(value, pending::consumed);
        } catch (RuntimeException e) {
          deliveryFailed(pending, e);
        }
        break;
      }
      case ITEMS:
        items(frame, pending);
        break;
      case END:
        finish(pending);
        try {
          exchange.onEnd();
        } catch (RuntimeException e) {
          deliveryFailed(pending, e);
        }
        break;
      case ERR: {
        CommBusException error = ErrorFrames.read(frame);
        finish(pending);
        try {
          exchange.onError(error);
        } catch (RuntimeException e) {
          deliveryFailed(pending, e);
        }
        break;
      }
      default:
        throw new IllegalArgumentException(frame.kind() + " frame is no answer");
    }
  }

  /**
   * An exchange failed taking its answer: logged as the bug it is, the child told to stop
   * the request if it still runs, and the exchange failed with INTERNAL.
   */
  private void deliveryFailed(Outbound pending, RuntimeException failure) {
    LOG.log(System.Logger.Level.ERROR, "bug: request " + pending.id + " to " + peer + " (" + pending.exchange.type()
        + ") failed taking its answer", failure);
    if (outbound.remove(pending.id) != null) {
      pending.cancelTimer();
      writer.write(Frame.of(FrameKind.CANCEL, pending.id));
    }
    try {
      pending.exchange.onError(new CommBusException(ErrorCode.INTERNAL, "the parent failed delivering the answer of "
          + peer + ": " + failure));
    } catch (RuntimeException again) {
      LOG.log(System.Logger.Level.ERROR, "bug: request " + pending.id + " to " + peer
          + " could not be failed either", again);
    }
  }

  private void items(Frame frame, Outbound pending) {
    Object value = frame.value();
    if (!(value instanceof JsonArray)) {
      throw new ProtocolViolation("items frame body is not a JSON array");
    }
    JsonArray items = (JsonArray) value;
    long declared = Headers.optionalLong(frame, Protocol.COUNT, items.size());
    if (declared != items.size()) {
      throw new ProtocolViolation("items frame declares " + declared + " items but carries " + items.size());
    }
    itemsArrived(pending, items.size());
    try {
      for (int i = 0; i < items.size() && outbound.containsKey(pending.id); i++) {
        pending.exchange.onItem(items.getValue(i), pending::consumed);
      }
    } catch (RuntimeException e) {
      deliveryFailed(pending, e);
    }
  }

  private void itemsArrived(Outbound pending, int count) {
    if (!pending.exchange.streamed()) {
      return; // a plain request answered with items; the exchange reports it
    }
    pending.credit -= count;
    if (pending.credit < 0) {
      throw new ProtocolViolation("child sent " + (-pending.credit) + " stream items beyond its credit for request "
          + pending.id);
    }
  }

  private void finish(Outbound pending) {
    outbound.remove(pending.id);
    pending.cancelTimer();
  }

  private void deadlinePassed(Outbound pending) {
    if (outbound.remove(pending.id) == null) {
      return;
    }
    long allowed = pending.exchange.deadlineMillis() - pending.sentAt;
    pending.exchange.onError(CommBusException.of(ErrorCode.TIMEOUT, peer + " did not answer "
        + pending.exchange.type() + " within " + allowed + " ms"));
    writer.write(Frame.of(FrameKind.CANCEL, pending.id));
    deadlineMissed.run();
  }

  /**
   * Hands back every request whose frame never left this side (the connection ended before
   * its write) as undelivered, so it can go to another child; they are no longer in flight.
   */
  void returnUnwritten(CommBusException why) {
    List<Outbound> unwritten = new ArrayList<>();
    for (Outbound pending : outbound.values()) {
      if (pending.queuedAtWrite == writer.writes()) {
        unwritten.add(pending);
      }
    }
    for (Outbound pending : unwritten) {
      outbound.remove(pending.id);
      pending.cancelTimer();
      pending.exchange.onUndelivered(why);
    }
  }

  /** Fails every request still waiting with {@code error}. */
  void failAll(CommBusException error) {
    List<Outbound> requests = new ArrayList<>(outbound.values());
    outbound.clear();
    for (Outbound pending : requests) {
      pending.cancelTimer();
      pending.exchange.onError(error);
    }
  }

  /** One request in flight: its exchange, timer, and the child's credit on its stream. */
  private final class Outbound {
    final long id;
    final Exchange exchange;
    /** The writer's {@link FrameWriter#writes()} when the request was queued: written once that has passed. */
    final long queuedAtWrite;
    final long sentAt = System.currentTimeMillis();
    /** Made when the first stream item is consumed: most requests are answered with one value. */
    private CreditWindow grants;
    long timer = -1;
    int credit = window;

    Outbound(long id, Exchange exchange, long queuedAtWrite) {
      this.id = id;
      this.exchange = exchange;
      this.queuedAtWrite = queuedAtWrite;
    }

    void cancelTimer() {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    }

    /** An item left for its consumer: return credit to the child as the window's rule says. */
    void consumed() {
      if (!outbound.containsKey(id)) {
        return;
      }
      if (grants == null) {
        grants = new CreditWindow(window);
      }
      int due = grants.takenOneThenDue();
      if (due > 0) {
        credit += due;
        writer.write(Frame.of(FrameKind.CREDIT, Frame.header(FrameKind.CREDIT, id).put(Protocol.COUNT, due)));
      }
    }
  }
}
