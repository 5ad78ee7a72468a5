package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Category;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.streams.WriteStream;

/**
 * A session's open input on another host, written in the owner's process: a query per channel
 * frame of {@code commbus.session.<id>.in.<node>.<port>}, which that host answers once the frame
 * is in the channel. At most {@link #WINDOW} frames are in flight; the write queue is full at
 * that, so a {@code pipeTo} goes at the node's pace. Used on the sessions' context.
 */
final class RemoteInput implements WriteStream<ChannelItem> {

  /** Frames in flight before the write queue is full. */
  static final int WINDOW = 16;

  private final CommBus bus;
  private final String type;
  private final Promise<Void> ended = Promise.promise();
  private int inFlight;
  private long seq;
  private boolean ending;
  /** The end or err to send once the items in flight are in. */
  private Frame last;
  private Throwable failed;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;

  RemoteInput(CommBus bus, String type) {
    this.bus = bus;
    this.type = type;
  }

  @Override
  public RemoteInput exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public Future<Void> write(ChannelItem item) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    if (ending) {
      return Future.failedFuture(new IllegalStateException("the session's input has ended"));
    }
    return send(ChannelFrames.item(item, seq++));
  }

  private Future<Void> send(Frame frame) {
    inFlight++;
    // Waits as long as the node's channel has no room: the bus's longest bound.
    return bus.query(Message.of(Category.QUERY, type, ChannelFrames.encode(frame)), CommBusOptions.MAX_TIMEOUT)
        .<Void>mapEmpty()
        .andThen(ar -> {
          inFlight--;
          if (ar.failed()) {
            fail(ar.cause());
          } else if (inFlight == WINDOW / 2 && drainHandler != null && !ending) {
            drainHandler.handle(null);
          }
          if (ending && inFlight == 0 && !ended.future().isComplete()) {
            sendLast();
          }
        });
  }

  private void fail(Throwable cause) {
    if (failed == null) {
      failed = cause instanceof CommBusException e && e.code() == ErrorCode.NO_HANDLER
          ? new CommBusException(ErrorCode.SESSION_NOT_FOUND, "the session of " + type + " runs no more") : cause;
      ended.tryFail(failed);
      if (exceptionHandler != null) {
        exceptionHandler.handle(failed);
      }
    }
  }

  /** The end or err, once every item before it is in. */
  private void sendLast() {
    bus.query(Message.of(Category.QUERY, type, ChannelFrames.encode(last)), CommBusOptions.MAX_TIMEOUT)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            ended.tryComplete();
          } else {
            fail(ar.cause());
          }
        });
  }

  @Override
  public Future<Void> end() {
    return finish(ChannelFrames.end());
  }

  /** Ends the input with {@code error}, which the node's iteration raises after the items before it. */
  public Future<Void> fail(CommBusException error) {
    return finish(ChannelFrames.err(error));
  }

  private Future<Void> finish(Frame frame) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    if (!ending) {
      ending = true;
      last = frame;
      if (inFlight == 0) {
        sendLast();
      }
    }
    return ended.future();
  }

  @Override
  public RemoteInput setWriteQueueMaxSize(int maxSize) {
    return this;  // the window is the queue's size
  }

  @Override
  public boolean writeQueueFull() {
    return inFlight >= WINDOW;
  }

  @Override
  public RemoteInput drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }
}
