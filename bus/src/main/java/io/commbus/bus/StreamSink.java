package io.commbus.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.WriteStream;

/**
 * The producer side of a streamed reply. Items leave only as the consumer grants credit, so
 * a slow consumer slows the producer. {@link #write(Object)} completes when the item has left;
 * writes past the credit queue up to a bound, beyond which they fail with
 * {@link io.commbus.bus.error.ErrorCode#OVERLOADED}.
 */
public interface StreamSink<T> extends WriteStream<T> {

  /** Ends the stream with an error; the consumer receives it with its code. */
  Future<Void> fail(Throwable error);

  /** True once the consumer cancelled (or went away); further writes fail with CANCELLED. */
  boolean isCancelled();

  /** Called once if the consumer cancels. */
  StreamSink<T> cancelHandler(Handler<Void> handler);
}
