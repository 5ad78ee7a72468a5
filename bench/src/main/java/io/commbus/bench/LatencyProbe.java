package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Supplier;

/**
 * Runs request/reply operations strictly one after another and records each round trip, so
 * a sample is the latency of an otherwise idle bus, not queueing behind other requests.
 */
final class LatencyProbe {

  private final Supplier<Future<?>> op;
  private final long[] samples;
  private final Promise<long[]> done = Promise.promise();
  private int next;

  LatencyProbe(int count, Supplier<Future<?>> op) {
    this.op = op;
    this.samples = new long[count];
  }

  /** Completes with every round trip in nanoseconds, in the order they ran. */
  Future<long[]> run() {
    issue();
    return done.future();
  }

  private void issue() {
    long start = System.nanoTime();
    op.get().onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      samples[next++] = System.nanoTime() - start;
      if (next == samples.length) {
        done.tryComplete(samples);
      } else {
        issue();
      }
    });
  }
}
