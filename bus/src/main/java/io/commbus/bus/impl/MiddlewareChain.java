package io.commbus.bus.impl;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.RejectedException;
import io.commbus.bus.middleware.Middleware;
import io.commbus.bus.middleware.MiddlewareContext;
import io.vertx.core.Future;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Runs {@code before} front to back and {@code after} back to front. */
final class MiddlewareChain {

  private final List<Middleware> middleware = new CopyOnWriteArrayList<>();

  void add(Middleware m) {
    middleware.add(m);
  }

  boolean isEmpty() {
    return middleware.isEmpty();
  }

  /** The message to send after every {@code before}; fails with REJECTED if one aborts. */
  Future<Object> before(MiddlewareContext ctx, Object message) {
    Future<Object> current = Future.succeededFuture(message);
    for (Middleware m : middleware) {
      current = current.compose(msg -> {
        Future<Object> next;
        try {
          next = m.before(ctx, msg);
        } catch (RuntimeException e) {
          next = Future.failedFuture(e);
        }
        return (next == null ? Future.<Object>succeededFuture(null) : next).transform(ar -> {
          if (ar.failed()) {
            return Future.failedFuture(asRejection(m, ar.cause()));
          }
          if (ar.result() == null) {
            return Future.failedFuture(new RejectedException(m.getClass().getSimpleName() + " rejected "
                + ctx.category().wireName() + " " + ctx.type(), null));
          }
          ctx.message(ar.result());
          return Future.succeededFuture(ar.result());
        });
      });
    }
    return current;
  }

  /** The caller's outcome after every {@code after}, last-added first. */
  Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
    Future<Object> current = error == null ? Future.succeededFuture(result) : Future.failedFuture(error);
    for (int i = middleware.size() - 1; i >= 0; i--) {
      Middleware m = middleware.get(i);
      current = current.transform(ar -> {
        try {
          Future<Object> next = m.after(ctx, message, ar.result(), ar.cause());
          return next == null ? Future.succeededFuture(null) : next;
        } catch (RuntimeException e) {
          return Future.failedFuture(e);
        }
      });
    }
    return current;
  }

  private static CommBusException asRejection(Middleware m, Throwable cause) {
    if (cause instanceof CommBusException) {
      return (CommBusException) cause;
    }
    return new RejectedException(m.getClass().getSimpleName() + " rejected the message: " + cause.getMessage(), cause);
  }
}
