package io.commbus.process.pipeline;

import io.commbus.bus.Message;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * A channel's reading end served on the bus: the items of one {@link SessionOutput} go into a
 * streamed query's replies, one channel frame each, at the stream's pace; an empty item is a
 * heartbeat ({@link #HEARTBEAT_MILLIS}), for the reader to skip. One reader at a time;
 * a reader that goes away leaves the items for the next. Used on the sessions' context.
 */
final class PortOutput {

  /**
   * How long a reader may go without an item before it is sent an empty one, a heartbeat to
   * skip: a channel may be quiet for longer than a reader's stream idle timeout.
   */
  static final long HEARTBEAT_MILLIS = 5000;

  /** Who is read, for errors: "session s1: output sink.out". */
  private final String label;
  private final SessionOutput output;
  private final Vertx vertx;
  private StreamSink<Object> reader;
  private long heartbeat = -1;
  private long lastWrite;

  PortOutput(String label, SessionOutput output, Vertx vertx) {
    this.label = label;
    this.output = output;
    this.vertx = vertx;
  }

  void attach(Message query, StreamSink<Object> sink) {
    if (reader != null) {
      sink.fail(new CommBusException(ErrorCode.OVERLOADED, label + " is being read already; an output has one "
          + "reader at a time"));
      return;
    }
    if (output.readInProcess()) {
      sink.fail(new CommBusException(ErrorCode.OVERLOADED, label + " is read in the session's own process; an "
          + "output has one reader at a time"));
      return;
    }
    reader = sink;
    output.readOnTheBus(true);
    sink.cancelHandler(v -> detach(sink));
    // A stream the bus ended (its consumer went quiet past the idle time, or away) frees the output too.
    sink.exceptionHandler(e -> detach(sink));
    lastWrite = System.currentTimeMillis();
    heartbeat = vertx.setPeriodic(HEARTBEAT_MILLIS, t -> {
      if (System.currentTimeMillis() - lastWrite >= HEARTBEAT_MILLIS && !sink.writeQueueFull()) {
        sink.write(Buffer.buffer());
      }
    });
    output.exceptionHandler(e -> {
      stopHeartbeat();
      output.readOnTheBus(false);
      sink.fail(e);
    }).endHandler(v -> {
      stopHeartbeat();
      sink.end();
    }).handler(item -> {
      if (sink.isCancelled()) {
        detach(sink);  // items in flight to a reader that went away are lost to it; the rest wait for the next
        return;
      }
      lastWrite = System.currentTimeMillis();
      sink.write(ChannelFrames.encode(ChannelFrames.item(item, item.seq())));
      if (sink.writeQueueFull()) {
        output.pause();
        sink.drainHandler(d -> output.resume());
      }
    });
    output.resume();
  }

  private void stopHeartbeat() {
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
      heartbeat = -1;
    }
  }

  /** The reader went away: the output holds its items for the next one. */
  private void detach(StreamSink<Object> sink) {
    if (reader == sink) {
      stopHeartbeat();
      output.pause();
      output.handler(null);
      output.readOnTheBus(false);
      reader = null;
    }
  }
}
