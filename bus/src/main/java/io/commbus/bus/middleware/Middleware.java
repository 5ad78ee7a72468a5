package io.commbus.bus.middleware;

import io.vertx.core.Future;

/**
 * Wraps every publish, send and query made through a bus. {@code before} runs in the order
 * middleware was added, {@code after} in the reverse order, like layers around the call.
 */
public interface Middleware {

  /**
   * Runs before the message leaves. Return the message (or a replacement) to continue; return
   * {@code null} or a failed future to abort the call, which then fails with REJECTED.
   */
  default Future<Object> before(MiddlewareContext ctx, Object message) {
    return Future.succeededFuture(message);
  }

  /**
   * Runs when the call completes, with its result or its error. Return the result the caller
   * sees: the same one, a replacement, or a failure. For a streamed query this runs when the
   * stream opens, and {@code result} is the stream.
   */
  default Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
    return error == null ? Future.succeededFuture(result) : Future.failedFuture(error);
  }
}
