package io.commbus.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * The two event loops a benchmark uses: the driver issues the load and receives replies, the
 * receiver hosts every consumer and handler. Keeping them apart puts sender and handler on
 * different threads, as on a real node, and uses both cores of a two-core machine.
 */
record Loops(Context driver, Context receiver) {

  static Future<Loops> start(Vertx vertx) {
    // Each deployment takes the next event loop in turn, so two deployments give two threads.
    return capture(vertx).compose(driver -> capture(vertx).map(receiver -> new Loops(driver, receiver)));
  }

  private static Future<Context> capture(Vertx vertx) {
    Promise<Context> captured = Promise.promise();
    return vertx.deployVerticle(context -> {
      captured.complete(context);
      return Future.succeededFuture();
    }).compose(id -> captured.future());
  }

  /** Runs {@code work} on the driver loop; the load generator must never block it. */
  <T> Future<T> onDriver(Supplier<Future<T>> work) {
    return on(driver, work);
  }

  /** Runs {@code work} on the receiver loop, so consumers registered there deliver there. */
  <T> Future<T> onReceiver(Supplier<Future<T>> work) {
    return on(receiver, work);
  }

  private static <T> Future<T> on(Context context, Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }
}
