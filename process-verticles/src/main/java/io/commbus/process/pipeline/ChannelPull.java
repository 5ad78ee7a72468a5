package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The far end of a channel that crosses hosts: reads the channel's items from the bus, as the
 * host of the channel's writer serves them ({@link PortOutput}), and writes them into the
 * channel's reader here through a {@link ChannelSink}, pausing the bus stream while the sink has
 * no room, so the reader's credit still paces the writer on the other host. Used on the
 * sessions' context.
 *
 * <p>The writer's host may not serve the channel yet when this starts (its node is still
 * starting): a {@code NO_HANDLER} is tried again until the deadline. A resumable pull also
 * reads again when its stream fails (the writer's node restarts on its host), within the same
 * bound from then on.
 */
final class ChannelPull {

  private static final long RETRY_MILLIS = 20;

  private final CommBus bus;
  private final Context context;
  private final String type;
  private final ChannelSink sink;
  private final long patienceMillis;
  private final boolean resumable;
  private QueryStream<Message> stream;
  /** Items read and not yet written: the sink had no room for them when they came. */
  private final Deque<ChannelItem> waiting = new ArrayDeque<>();
  private boolean stopped;
  private boolean paused;
  private boolean endPending;
  private boolean endSent;

  /** {@code patienceMillis}: how long the writer's host may take to serve the channel, each time it must. */
  ChannelPull(CommBus bus, Context context, String type, ChannelSink sink, long patienceMillis, boolean resumable) {
    this.bus = bus;
    this.context = context;
    this.type = type;
    this.sink = sink;
    this.patienceMillis = patienceMillis;
    this.resumable = resumable;
  }

  void start() {
    open(System.currentTimeMillis() + patienceMillis);
  }

  /** Stops reading; the sink is left as it is, for whoever owns it to end. */
  void stop() {
    stopped = true;
    if (stream != null) {
      stream.cancel();
      stream = null;
    }
  }

  private void open(long deadline) {
    if (stopped) {
      return;
    }
    // The bus's longest idle time: a reader may hold its writer back as long as it likes.
    bus.queryStream(Message.query(type, null), CommBusOptions.MAX_TIMEOUT).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed()) {
        retryOrFail(ar.cause(), deadline);
        return;
      }
      stream = ar.result();
      paused = false;
      stream.exceptionHandler(e -> {
        stream = null;
        if (resumable && !stopped) {
          open(System.currentTimeMillis() + patienceMillis);
        } else {
          fail(e);
        }
      });
      // The end goes behind the items still waiting for room.
      stream.endHandler(v -> ended());
      stream.handler(message -> {
        try {
          if (!(message.body() instanceof Buffer bytes)) {
            throw new ProtocolViolation("a channel's item on the bus is one frame as bytes");
          }
          if (bytes.length() == 0) {
            return;  // a heartbeat: the channel is quiet
          }
          waiting.add(ChannelFrames.item(ChannelFrames.decode(bytes)));
        } catch (ProtocolViolation e) {
          stop();
          fail(e);
          return;
        }
        drain();
      });
    });
  }

  /**
   * Writes what came while the sink has room; without room the stream pauses until the sink
   * drains (the reader granted credit), so nothing is written past the reader's credit. The
   * end goes behind the last item.
   */
  private void drain() {
    while (!waiting.isEmpty() && !sink.writeQueueFull()) {
      sink.write(waiting.poll());
    }
    QueryStream<Message> current = stream;
    if (!waiting.isEmpty()) {
      if (current != null && !paused) {
        paused = true;
        current.pause();
      }
      sink.drainHandler(d -> drain());
      return;
    }
    if (endPending && !endSent) {
      endSent = true;
      sink.end();
    } else if (current != null && paused) {
      paused = false;
      current.resume();
    }
  }

  private void ended() {
    endPending = true;
    drain();
  }

  private void retryOrFail(Throwable cause, long deadline) {
    boolean notYet = cause instanceof CommBusException e && e.code() == ErrorCode.NO_HANDLER;
    if ((notYet || resumable) && System.currentTimeMillis() < deadline) {
      context.owner().setTimer(RETRY_MILLIS, t -> open(deadline));
    } else {
      fail(cause);
    }
  }

  private void fail(Throwable cause) {
    CommBusException error = CommBusException.wrap(cause, ErrorCode.UNAVAILABLE);
    sink.fail(new CommBusException(error.code(), "the channel from " + type + " failed: " + error.getMessage()));
  }
}
