package io.commbus.bus.stream;

import io.commbus.bus.QueryStream;
import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Addresses;
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
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The caller's end of a streamed query. The producer may send at most the credit this side
 * granted; credit is granted back only as items reach the user's handler, so the buffer here
 * never holds more than the window. All state lives on one Vert.x context. Internal, not API:
 * public only so that the bus's implementation can open one.
 *
 * <p>Longer than our usual bound on purpose: it is one state machine, and every event it
 * handles (a frame, the user's demand, the idle timer, a cancel) reads and changes the same
 * state; split up, each part would need the whole of it.
 */
public final class StreamConsumer<T> implements QueryStream<T> {

  private final Vertx vertx;
  private final Context context;
  private final EventBus eventBus;
  private final String streamId;
  private final int window;
  private final IdleTimer idle;
  private final Function<Message<Object>, T> decoder;
  private final ArrayDeque<T> buffer = new ArrayDeque<>();

  private MessageConsumer<Object> inbound;
  private Handler<T> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private long nextSeq;
  private final CreditWindow credit;
  private boolean opened;
  private boolean single;
  private boolean producerDone;
  private CommBusException failure;
  private boolean done;
  private boolean awaitingCancelAck;
  /** The cluster member producing the stream, as its accepting reply named it; null when local or unnamed. */
  private String producerMember;
  private final Promise<Void> released = Promise.promise();

  /**
   * @param streamId  unique per stream; both stream addresses derive from it
   * @param window    the credit granted up front, and so the most items ever buffered here
   * @param decoder   turns an item (or a handler's single reply) into what the user receives
   */
  public StreamConsumer(Vertx vertx, Context context, String streamId, int window, long idleMillis,
                        Function<Message<Object>, T> decoder) {
    this.vertx = vertx;
    this.context = VertxInternals.root(context);
    this.eventBus = vertx.eventBus();
    this.streamId = streamId;
    this.window = window;
    this.credit = new CreditWindow(window);
    this.idle = new IdleTimer(vertx, idleMillis, this::waiting,
        () -> abort(new BusTimeoutException("no stream item within " + idleMillis + " ms")));
    this.decoder = decoder;
  }

  /**
   * Registers the inbound address, then sends the query with the stream's headers added to
   * {@code options}. Completes with this stream once the handler accepted it (or replied with a
   * single value); a failed request fails it as {@code failureMapper} says.
   */
  public Future<QueryStream<T>> open(String handlerAddress, Object body, DeliveryOptions options,
                                     Function<Throwable, CommBusException> failureMapper) {
    return open(handlerAddress, body, options, failureMapper, request -> request);
  }

  /**
   * Same, with {@code inFlight} around the opening request: what a clustered bus uses to fail
   * it early when no member that could accept it remains.
   */
  public Future<QueryStream<T>> open(String handlerAddress, Object body, DeliveryOptions options,
                                     Function<Throwable, CommBusException> failureMapper,
                                     UnaryOperator<Future<Message<Object>>> inFlight) {
    options.addHeader(Wire.MODE, Wire.MODE_STREAM)
        .addHeader(Wire.STREAM, streamId)
        .addHeader(Wire.CREDIT, Integer.toString(window))
        .addHeader(Wire.IDLE, Long.toString(idle.millis()));
    Promise<QueryStream<T>> opening = Promise.promise();
    context.runOnContext(v -> {
      inbound = eventBus.consumer(Addresses.streamInbound(streamId));
      inbound.handler(this::onFrame);
      inbound.completion()
          .compose(registered -> inFlight.apply(eventBus.request(handlerAddress, body, options)))
          .onComplete(ar -> {
            if (ar.failed()) {
              finish();
              opening.fail(failureMapper.apply(ar.cause()));
              return;
            }
            Message<Object> reply = ar.result();
            if (Wire.REPLY_STREAM.equals(reply.headers().get(Wire.REPLY))) {
              opened = true;
              producerMember = reply.headers().get(Wire.MEMBER);
              idle.activity();
              if (producerDone && !awaitingCancelAck) {
                // The final frame overtook this reply.
                acknowledgeFinalFrame();
              }
              grantIfDue();
              drain();
              opening.complete(this);
            } else {
              // A handler that answers with one value: a stream of one.
              single = true;
              opened = true;
              inbound.unregister();
              producerDone = true;
              try {
                buffer.add(decoder.apply(reply));
              } catch (CommBusException e) {
                failure = e;
              }
              opening.complete(this);
            }
          });
    });
    return opening.future();
  }

  private void onFrame(Message<Object> frame) {
    String name = frame.headers().get(Wire.FRAME);
    StreamFrame kind = StreamFrame.fromWireName(name);
    if (done || producerDone) {
      // After a cancel, items in flight still arrive; the producer's final frame says none follow.
      if (awaitingCancelAck && kind != null && kind.isFinal()) {
        unregisterInbound();
      }
      return;
    }
    idle.activity();
    if (kind == StreamFrame.ITEM) {
      if (!accept(frame)) {
        return;
      }
    } else if (kind == StreamFrame.END) {
      producerDone = true;
      acknowledgeFinalFrame();
    } else if (kind == StreamFrame.ERROR) {
      producerDone = true;
      failure = frame.body() instanceof JsonObject ? CommBusException.fromJson((JsonObject) frame.body())
          : new CommBusException(ErrorCode.PROTOCOL, "stream error frame without an error body");
      acknowledgeFinalFrame();
    } else {
      abort(new CommBusException(ErrorCode.PROTOCOL, "unknown stream frame kind: " + name));
      return;
    }
    drain();
  }

  /** Buffers an item frame; false if it broke the protocol and the stream was aborted. */
  private boolean accept(Message<Object> frame) {
    long seq = parseSeq(frame.headers().get(Wire.SEQ));
    if (seq != nextSeq) {
      abort(new CommBusException(ErrorCode.PROTOCOL, "stream " + streamId + " expected item " + nextSeq
          + " but received " + frame.headers().get(Wire.SEQ)));
      return false;
    }
    nextSeq++;
    if (buffer.size() >= window) {
      abort(new CommBusException(ErrorCode.PROTOCOL, "stream producer sent more items than the "
          + window + " it had credit for"));
      return false;
    }
    try {
      buffer.add(decoder.apply(frame));
    } catch (CommBusException e) {
      abort(e);
      return false;
    }
    return true;
  }

  private static long parseSeq(String value) {
    try {
      return value == null ? -1 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The cluster member producing this open stream; null for a local producer or a stream of one. */
  public String producerMember() {
    return producerMember;
  }

  /** Completes once the stream holds no more resources: ended, failed or cancelled. */
  public Future<Void> released() {
    return released.future();
  }

  /**
   * Fails the stream with {@code error} because its producer's member left the cluster: no
   * frame will come, and no cancel is sent to a member that is gone.
   */
  public void producerLeft(CommBusException error) {
    onContext(() -> {
      if (!done && !producerDone) {
        producerDone = true;
        abort(error);
      }
    });
  }

  /** Fails the stream from this side and tells the producer to stop. */
  private void abort(CommBusException error) {
    if (!producerDone) {
      requestCancel();
    }
    producerDone = true;
    failure = error;
    buffer.clear();
    drain();
  }

  private void drain() {
    while (!done && handler != null && demand > 0 && !buffer.isEmpty()) {
      T item = buffer.poll();
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      if (!single) {
        credit.taken();
        grantIfDue();
      }
      try {
        handler.handle(item);
      } catch (RuntimeException e) {
        abort(CommBusException.wrap(e, ErrorCode.INTERNAL));
        return;
      }
    }
    if (!done && buffer.isEmpty() && producerDone) {
      release();
      // The terminal event waits for its handler: callers off the context may set it last.
      if (failure != null && exceptionHandler != null) {
        done = true;
        exceptionHandler.handle(failure);
      } else if (failure == null && endHandler != null) {
        done = true;
        endHandler.handle(null);
      }
      return;
    }
    idle.arm();
  }

  /**
   * Tells the producer its final frame arrived. Credit frames sent earlier precede this one on
   * the same address, so the producer can release its control address without discarding any.
   */
  private void acknowledgeFinalFrame() {
    sendControl(StreamFrame.DONE, 0);
  }

  private void grantIfDue() {
    if (opened && !producerDone) {
      int due = credit.takeDue();
      if (due > 0) {
        sendControl(StreamFrame.CREDIT, due);
      }
    }
  }

  private void sendControl(StreamFrame kind, int credit) {
    if (!opened || single) {
      return;
    }
    DeliveryOptions options = new DeliveryOptions().addHeader(Wire.FRAME, kind.wireName());
    if (credit > 0) {
      options.addHeader(Wire.CREDIT, Integer.toString(credit));
    }
    eventBus.send(Addresses.streamControl(streamId), null, options);
  }

  /** Waiting means: the stream is open, the user wants items, and none are here. */
  private boolean waiting() {
    return opened && !done && !producerDone && handler != null && demand > 0 && buffer.isEmpty();
  }

  /** Ends the stream without delivering anything more. */
  private void finish() {
    done = true;
    release();
  }

  /** Stops the idle timer and, unless a cancel awaits its acknowledgement, the inbound address. */
  private void release() {
    idle.cancel();
    if (!awaitingCancelAck) {
      unregisterInbound();
    }
    released.tryComplete();
  }

  /**
   * Tells the producer to stop. The inbound address stays until the producer acknowledges (or
   * the idle timeout passes), so items already in flight are absorbed rather than discarded
   * with a warning by the event bus.
   */
  private void requestCancel() {
    if (!opened || single || awaitingCancelAck) {
      return;
    }
    sendControl(StreamFrame.CANCEL, 0);
    awaitingCancelAck = true;
    vertx.setTimer(idle.millis(), id -> unregisterInbound());
  }

  private void unregisterInbound() {
    if (inbound != null && !single && inbound.isRegistered()) {
      inbound.unregister();
    }
  }

  private void onContext(Runnable action) {
    VertxInternals.runOn(context, action);
  }

  @Override
  public QueryStream<T> exceptionHandler(Handler<Throwable> handler) {
    onContext(() -> {
      exceptionHandler = handler;
      drain();
    });
    return this;
  }

  @Override
  public QueryStream<T> handler(Handler<T> handler) {
    onContext(() -> {
      this.handler = handler;
      // Next tick: callers set the end and exception handlers right after this one.
      context.runOnContext(v -> drain());
    });
    return this;
  }

  @Override
  public QueryStream<T> pause() {
    onContext(() -> demand = 0);
    return this;
  }

  @Override
  public QueryStream<T> resume() {
    onContext(() -> {
      demand = Long.MAX_VALUE;
      idle.activity();
      drain();
    });
    return this;
  }

  @Override
  public QueryStream<T> fetch(long amount) {
    onContext(() -> {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      idle.activity();
      drain();
    });
    return this;
  }

  @Override
  public QueryStream<T> endHandler(Handler<Void> handler) {
    onContext(() -> {
      endHandler = handler;
      drain();
    });
    return this;
  }

  @Override
  public Future<Void> cancel() {
    Promise<Void> cancelled = Promise.promise();
    onContext(() -> {
      if (!done) {
        if (!producerDone) {
          requestCancel();
        }
        buffer.clear();
        finish();
      }
      cancelled.complete();
    });
    return cancelled.future();
  }
}
