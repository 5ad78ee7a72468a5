package io.commbus.bus.stream;

import io.commbus.bus.StreamSink;
import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CancelledException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.OverloadedException;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.internal.Wire;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayDeque;

/**
 * The handler's end of a streamed query. Items leave only against credit the consumer granted;
 * the rest wait here, up to a hard bound, so a producer that ignores back-pressure gets an
 * OVERLOADED error instead of exhausting memory. All state lives on one Vert.x context.
 * Internal, not API: public only so that the bus's implementation can answer with one.
 *
 * <p>Longer than our usual bound on purpose: it is one state machine, and every event it
 * handles (a write, credit, a cancel, the end, the idle timer) reads and changes the same
 * state; split up, each part would need the whole of it.
 */
public final class StreamProducer<T> implements StreamSink<T> {

  /** Items a producer may queue beyond its credit, as a multiple of the queue size it is told. */
  private static final int HARD_BOUND_FACTOR = 16;

  private final Vertx vertx;
  private final Context context;
  private final EventBus eventBus;
  private final PayloadMapper payloads;
  private final String streamId;
  private final IdleTimer idle;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();

  private MessageConsumer<Object> control;
  private long credit;
  private int writeQueueMaxSize;
  private long seq;
  private boolean ending;
  private CommBusException endingFailure;
  private Promise<Void> endPromise;
  private boolean closed;
  private boolean cancelled;
  private boolean drainWanted;
  private Handler<Void> drainHandler;
  private Handler<Void> cancelHandler;
  private Handler<Throwable> exceptionHandler;

  private static final class Pending {
    final PayloadMapper.Body body;
    final Promise<Void> promise;

    Pending(PayloadMapper.Body body, Promise<Void> promise) {
      this.body = body;
      this.promise = promise;
    }
  }

  /** Set once a write was refused for overflow; the stream can then only end with it. */
  private CommBusException overflow;

  private StreamProducer(Vertx vertx, Context context, PayloadMapper payloads, String streamId, long initialCredit,
                         int window, long idleMillis) {
    this.vertx = vertx;
    this.context = VertxInternals.root(context);
    this.eventBus = vertx.eventBus();
    this.payloads = payloads;
    this.streamId = streamId;
    this.credit = initialCredit;
    this.writeQueueMaxSize = window;
    this.idle = new IdleTimer(vertx, idleMillis, () -> !closed && credit <= 0 && !pending.isEmpty(),
        this::onIdle);
  }

  /**
   * The producer for a streamed query, from the stream headers its consumer sent (stream id,
   * initial credit, idle timeout); fails with PROTOCOL when they are not valid.
   *
   * @param window the write queue size the handler is told, until it sets its own
   */
  public static StreamProducer<Object> forQuery(Vertx vertx, Context context, PayloadMapper payloads, String streamId,
                                                String credit, String idle, int window) {
    try {
      return new StreamProducer<>(vertx, context, payloads, streamId, Long.parseLong(credit), window,
          Long.parseLong(idle));
    } catch (NumberFormatException e) {
      throw new CommBusException(ErrorCode.PROTOCOL, "streamed query without valid credit and idle headers");
    }
  }

  /** Registers the control address; completes once credit and cancellation can reach it. */
  public Future<Void> open() {
    control = eventBus.consumer(Addresses.streamControl(streamId));
    control.handler(this::onControl);
    return control.completion();
  }

  private void onControl(Message<Object> frame) {
    StreamFrame kind = StreamFrame.fromWireName(frame.headers().get(Wire.FRAME));
    if (closed) {
      if (kind == StreamFrame.DONE) {
        unregisterControl();
      }
      return;
    }
    if (kind == StreamFrame.CREDIT) {
      try {
        credit += Long.parseLong(frame.headers().get(Wire.CREDIT));
      } catch (NumberFormatException e) {
        return;
      }
      idle.activity();
      flush();
    } else if (kind == StreamFrame.CANCEL) {
      // The error frame acknowledges the cancel: the consumer may release its address. It sends
      // nothing after a cancel, so there is nothing to wait for here.
      CancelledException cancelled = new CancelledException("the consumer cancelled stream " + streamId);
      sendToConsumer(StreamFrame.ERROR, cancelled.toJson());
      stop(cancelled, false);
      if (cancelHandler != null) {
        cancelHandler.handle(null);
      }
    }
  }

  private void sendToConsumer(StreamFrame kind, Object body) {
    eventBus.send(Addresses.streamInbound(streamId), body,
        new DeliveryOptions().addHeader(Wire.FRAME, kind.wireName()));
  }

  private void flush() {
    // Completing a write runs the producer's callback right here, which may write or end the
    // stream again; re-check the state after each one.
    while (!closed && credit > 0 && !pending.isEmpty()) {
      Pending next = pending.poll();
      sendItem(next.body);
      next.promise.complete();
    }
    if (closed) {
      return;
    }
    if (pending.isEmpty() && ending) {
      sendTerminal();
      return;
    }
    if (drainWanted && pending.size() <= writeQueueMaxSize / 2) {
      drainWanted = false;
      if (drainHandler != null) {
        drainHandler.handle(null);
      }
    }
    idle.arm();
  }

  private void sendItem(PayloadMapper.Body body) {
    credit--;
    DeliveryOptions options = new DeliveryOptions()
        .addHeader(Wire.FRAME, StreamFrame.ITEM.wireName())
        .addHeader(Wire.SEQ, Long.toString(seq++));
    eventBus.send(Addresses.streamInbound(streamId), body.body(), body.mark(options));
  }

  private void sendTerminal() {
    if (closed) {
      return;
    }
    if (endingFailure == null) {
      sendToConsumer(StreamFrame.END, null);
    } else {
      sendToConsumer(StreamFrame.ERROR, endingFailure.toJson());
    }
    close(true);
    endPromise.complete();
  }

  /**
   * Ends the stream without the consumer: cancelled, or the consumer stopped granting credit.
   * When the consumer is told, it acknowledges, so the control address waits for that.
   */
  private void stop(CommBusException reason, boolean tellConsumer) {
    cancelled = true;
    if (tellConsumer) {
      sendToConsumer(StreamFrame.ERROR, reason.toJson());
    }
    while (!pending.isEmpty()) {
      pending.poll().promise.fail(reason);
    }
    close(tellConsumer);
    if (endPromise != null) {
      endPromise.tryFail(reason);
    }
  }

  /**
   * Stops the stream here. The control address stays until the consumer acknowledges the final
   * frame (or the idle timeout passes), so credit it sent meanwhile is absorbed, not discarded.
   */
  private void close(boolean awaitAcknowledgement) {
    closed = true;
    idle.cancel();
    if (awaitAcknowledgement) {
      vertx.setTimer(idle.millis(), id -> unregisterControl());
    } else {
      unregisterControl();
    }
  }

  private void unregisterControl() {
    if (control != null && control.isRegistered()) {
      control.unregister();
    }
  }

  private void onIdle() {
    BusTimeoutException timeout = new BusTimeoutException("stream " + streamId
        + ": the consumer granted no credit within " + idle.millis() + " ms");
    stop(timeout, true);
    if (exceptionHandler != null) {
      exceptionHandler.handle(timeout);
    }
  }

  private void onContext(Runnable action) {
    VertxInternals.runOn(context, action);
  }

  @Override
  public Future<Void> write(T item) {
    Promise<Void> written = Promise.promise();
    onContext(() -> {
      Throwable refused = refusal();
      if (refused != null) {
        written.fail(refused);
        return;
      }
      PayloadMapper.Body body;
      try {
        body = payloads.encode(item);
      } catch (CommBusException e) {
        written.fail(e);
        return;
      }
      if (credit > 0 && pending.isEmpty()) {
        sendItem(body);
        written.complete();
        return;
      }
      if (overflow != null) {
        written.fail(overflow);
        return;
      }
      if (pending.size() >= (long) writeQueueMaxSize * HARD_BOUND_FACTOR) {
        // Items were dropped: the consumer must not see a clean end, so the stream now ends with this error.
        overflow = new OverloadedException("stream " + streamId + ": " + pending.size()
            + " items waited for a slower consumer and later items were refused; honour writeQueueFull() or the"
            + " write futures");
        written.fail(overflow);
        return;
      }
      pending.add(new Pending(body, written));
      idle.arm();
    });
    return written.future();
  }

  /**
   * Why a write or an end is refused, or null: the consumer cancelled (CANCELLED), or the handler
   * already ended the stream, which is its own mistake, not a message's (IllegalStateException).
   */
  private Throwable refusal() {
    if (cancelled) {
      return new CancelledException("stream " + streamId + " was cancelled");
    }
    if (ending || closed) {
      return new IllegalStateException("stream " + streamId + " already ended");
    }
    return null;
  }

  @Override
  public Future<Void> end() {
    return finishWith(null);
  }

  @Override
  public Future<Void> fail(Throwable error) {
    return finishWith(CommBusException.wrap(error, ErrorCode.HANDLER_FAILED));
  }

  private Future<Void> finishWith(CommBusException failure) {
    Promise<Void> ended = Promise.promise();
    onContext(() -> {
      Throwable refused = refusal();
      if (refused != null) {
        ended.fail(refused);
        return;
      }
      ending = true;
      endingFailure = failure != null ? failure : overflow;
      endPromise = ended;
      if (pending.isEmpty()) {
        sendTerminal();
      }
    });
    return ended.future();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public StreamSink<T> cancelHandler(Handler<Void> handler) {
    onContext(() -> cancelHandler = handler);
    return this;
  }

  @Override
  public StreamSink<T> exceptionHandler(Handler<Throwable> handler) {
    onContext(() -> exceptionHandler = handler);
    return this;
  }

  @Override
  public StreamSink<T> setWriteQueueMaxSize(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("write queue size must be at least 1, was " + maxSize);
    }
    onContext(() -> writeQueueMaxSize = maxSize);
    return this;
  }

  /** Full when the items waiting for credit reach the write queue size. */
  @Override
  public boolean writeQueueFull() {
    boolean full = pending.size() >= writeQueueMaxSize;
    if (full) {
      drainWanted = true;
    }
    return full;
  }

  @Override
  public StreamSink<T> drainHandler(Handler<Void> handler) {
    onContext(() -> {
      drainHandler = handler;
    });
    return this;
  }
}
