package io.commbus.bench;

import io.commbus.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * Starts of a pool of one child, one after another: deploy, read the child's
 * {@code startupMillis} (spawn to {@code ready}, as the pool measured it), undeploy. A fresh
 * pool each time, so every start is what a node start or a scale-out pays.
 */
final class ColdStarts {

  private final Vertx vertx;

  ColdStarts(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Completes with each start's milliseconds, in order. */
  Future<long[]> run(Supplier<ProcessVerticle> pools, int count) {
    return next(pools, new long[count], 0);
  }

  private Future<long[]> next(Supplier<ProcessVerticle> pools, long[] millis, int done) {
    if (done == millis.length) {
      return Future.succeededFuture(millis);
    }
    ProcessVerticle pool = pools.get();
    return vertx.deployVerticle(pool).compose(id -> pool.children()
            .map(children -> startupMillis(children.getJsonObject(0)))
            .compose(startup -> vertx.undeploy(id).map(startup)))
        .compose(startup -> {
          millis[done] = startup;
          return next(pools, millis, done + 1);
        });
  }

  private static long startupMillis(JsonObject child) {
    Long startup = child.getLong("startupMillis");
    if (startup == null || startup < 0) {
      throw new BenchFailure("child " + child.encode() + " reported no startup time");
    }
    return startup;
  }
}
