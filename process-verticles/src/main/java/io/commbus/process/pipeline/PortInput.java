package io.commbus.process.pipeline;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A channel's writing end served on the bus: a query per channel frame ({@code item}, then
 * {@code end} or {@code err}), written in the order the queries came and each answered once it
 * is in the channel, so a caller that waits for its answers goes at the reader's pace. Used on
 * the sessions' context.
 */
final class PortInput {

  /** Frames waiting for room, beyond which a caller is told OVERLOADED. */
  static final int MAX_QUEUED_FRAMES = 1024;

  /** Who is written, for errors: "session s1: input gate.in". */
  private final String label;
  private final ChannelSink input;
  private final Deque<Waiting> queue = new ArrayDeque<>();
  private boolean ended;

  private record Waiting(Frame frame, Promise<Object> answered) {
  }

  PortInput(String label, ChannelSink input) {
    this.label = label;
    this.input = input;
    // Frames still waiting when the channel fails are answered with why, not left to time out.
    input.exceptionHandler(e -> {
      CommBusException error = CommBusException.wrap(e, ErrorCode.UNAVAILABLE);
      Waiting waiting;
      while ((waiting = queue.poll()) != null) {
        waiting.answered().tryFail(new CommBusException(error.code(), label + ": " + error.getMessage()));
      }
    });
  }

  Future<Object> take(Message message) {
    Frame frame;
    try {
      if (!(message.body() instanceof Buffer bytes)) {
        throw new ProtocolViolation("the body must be one channel frame as bytes");
      }
      frame = ChannelFrames.decode(bytes);
    } catch (ProtocolViolation e) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, label + ": " + e.getMessage()));
    }
    if (ended) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, label + " has ended"));
    }
    if (queue.size() >= MAX_QUEUED_FRAMES) {
      return Future.failedFuture(new CommBusException(ErrorCode.OVERLOADED, label + " has " + MAX_QUEUED_FRAMES
          + " frames waiting for room; wait for the answers"));
    }
    ended = frame.kind() != FrameKind.ITEM;
    Promise<Object> answered = Promise.promise();
    queue.add(new Waiting(frame, answered));
    if (queue.size() == 1) {
      pump();
    }
    return answered.future();
  }

  private void pump() {
    while (!queue.isEmpty()) {
      Waiting head = queue.peek();
      try {
        switch (head.frame().kind()) {
          case ITEM -> {
            if (input.writeQueueFull()) {
              input.drainHandler(v -> pump());
              return;
            }
            input.write(ChannelFrames.item(head.frame())).onComplete(w -> head.answered().handle(w.map(v -> null)));
          }
          case END -> input.end().onComplete(e -> head.answered().handle(e.map(v -> null)));
          default -> input.fail(ChannelFrames.error(head.frame()))
              .onComplete(e -> head.answered().handle(e.map(v -> null)));
        }
      } catch (ProtocolViolation e) {
        head.answered().fail(new CommBusException(ErrorCode.INVALID_MESSAGE, label + ": " + e.getMessage()));
      }
      queue.poll();
    }
  }
}
