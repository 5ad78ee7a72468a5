package io.commbus.bus;

/**
 * Handles a query by writing a stream of replies to {@code sink}, then ending or failing it.
 * The sink applies the consumer's flow control: honour {@link StreamSink#writeQueueFull()}
 * or the futures {@link StreamSink#write(Object)} returns.
 */
@FunctionalInterface
public interface StreamHandler<Q, T> {
  void handle(Q query, StreamSink<T> sink) throws Exception;
}
