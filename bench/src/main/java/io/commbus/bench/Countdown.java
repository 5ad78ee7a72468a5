package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts arrivals of one run and notes the time of the last. Each instance is hit from one
 * event loop only; the count is also published for the driver's backlog check with a lazy
 * (release) store, which costs a plain store on x86, so no atomic read-modify-write sits on
 * the measured path.
 */
final class Countdown {

  private final int expected;
  private final Promise<Long> done = Promise.promise();
  private final AtomicInteger visible = new AtomicInteger();
  private int seen;

  Countdown(int expected) {
    this.expected = expected;
  }

  void hit() {
    int now = ++seen;
    visible.lazySet(now);
    if (now == expected) {
      done.tryComplete(System.nanoTime());
    }
  }

  void fail(Throwable cause) {
    done.tryFail(cause);
  }

  /** Arrivals so far, readable from any thread; may lag the true count slightly. */
  int seen() {
    return visible.get();
  }

  /** Completes with {@link System#nanoTime()} of the last expected arrival. */
  Future<Long> done() {
    return done.future();
  }
}
