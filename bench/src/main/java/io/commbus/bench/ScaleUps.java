package io.commbus.bench;

import io.commbus.process.ProcessVerticle;
import io.vertx.core.Future;

/**
 * Scale-ups of one deployed pool: each resizes it from one child to {@code scaleTo} and takes the
 * time until every new child is ready (the resize's future), then shrinks it back to one,
 * untimed. What a pool in front of a sudden load pays before it serves at its new size.
 */
final class ScaleUps {

  private final ProcessVerticle pool;
  private final int scaleTo;

  ScaleUps(ProcessVerticle pool, int scaleTo) {
    this.pool = pool;
    this.scaleTo = scaleTo;
  }

  /** Completes with the milliseconds of each of {@code count} scale-ups, in order. */
  Future<long[]> run(int count) {
    return next(new long[count], 0);
  }

  private Future<long[]> next(long[] millis, int done) {
    if (done == millis.length) {
      return Future.succeededFuture(millis);
    }
    long start = System.nanoTime();
    return pool.resize(scaleTo)
        .compose(v -> {
          millis[done] = (System.nanoTime() - start) / 1_000_000;
          return pool.resize(1);
        })
        .compose(v -> next(millis, done + 1));
  }
}
