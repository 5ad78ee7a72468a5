package io.commbus.bus;

import io.vertx.core.Future;
import io.vertx.core.streams.ReadStream;

/**
 * The consumer side of a streamed reply. Items are held until a handler is set; demand
 * ({@link #pause()}, {@link #resume()}, {@link #fetch(long)}) turns into credit for the producer,
 * so at most the configured window is ever buffered. A stream fails with a typed
 * {@link io.commbus.bus.error.CommBusException} through {@link #exceptionHandler}.
 */
public interface QueryStream<T> extends ReadStream<T> {

  /** Stops the stream and tells the producer. No end or exception handler is called. */
  Future<Void> cancel();
}
