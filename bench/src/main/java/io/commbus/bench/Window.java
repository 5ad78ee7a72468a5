package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.Supplier;

/**
 * Keeps a fixed number of request/reply operations in flight until a total has completed: the
 * next starts when one finishes. Bounding what is outstanding measures sustained throughput
 * rather than how fast the bus can queue requests. Runs confined to the event loop it started on.
 */
final class Window {

  private final int total;
  private final int width;
  private final Supplier<Future<?>> op;
  private final Promise<Long> done = Promise.promise();
  private int issued;
  private int completed;

  Window(int total, int width, Supplier<Future<?>> op) {
    this.total = total;
    this.width = width;
    this.op = op;
  }

  /** Starts the run; completes with {@link System#nanoTime()} when the last reply arrived. */
  Future<Long> run() {
    int first = Math.min(width, total);
    for (int i = 0; i < first; i++) {
      issueOne();
    }
    return done.future();
  }

  private void issueOne() {
    issued++;
    op.get().onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (++completed == total) {
        done.tryComplete(System.nanoTime());
      } else if (issued < total) {
        issueOne();
      }
    });
  }
}
