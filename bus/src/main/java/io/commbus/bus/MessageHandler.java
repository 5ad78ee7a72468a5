package io.commbus.bus;

import io.vertx.core.Future;

/**
 * Handles a command or a query. A query's reply is the value the future completes with; a
 * command's value is ignored. A thrown exception counts as a failed future.
 */
@FunctionalInterface
public interface MessageHandler<T, R> {
  Future<R> handle(T message) throws Exception;
}
