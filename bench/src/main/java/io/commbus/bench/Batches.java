package io.commbus.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.function.IntSupplier;

/**
 * Issues fire-and-forget operations from the current event loop in slices, never more than a
 * bounded backlog ahead of the receiver.
 *
 * <p>Slices: one loop over every operation would hold the event loop for the whole run,
 * starving the acks that arrive on it and tripping the blocked-thread checker. Backlog: an
 * unbounded flood measures how fast the bus can fill the receiver's queue and how the GC copes
 * with a million queued messages, which swung results by a factor of two between rounds; with
 * a bound the run measures the steady rate of sender and receiver together.
 */
final class Batches {

  private static final int SLICE = 512;
  static final int MAX_BACKLOG = 32_768;

  private Batches() {
  }

  /**
   * Runs {@code op} {@code total} times on the calling context, pausing while more than
   * {@link #MAX_BACKLOG} issued operations have not yet {@code arrived}.
   */
  static void issue(int total, Runnable op, IntSupplier arrived) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("issue load from an event loop, not from " + Thread.currentThread());
    }
    slice(context, 0, total, op, arrived);
  }

  private static void slice(Context context, int from, int total, Runnable op, IntSupplier arrived) {
    if (from - arrived.getAsInt() >= MAX_BACKLOG) {
      // A timer rather than an immediate re-check: polling would burn the core the receiver
      // and the GC need on a small machine. A millisecond is well under the time the receiver
      // needs to drain the backlog, so it never runs dry.
      context.owner().setTimer(1, id -> slice(context, from, total, op, arrived));
      return;
    }
    int to = Math.min(total, from + SLICE);
    for (int i = from; i < to; i++) {
      op.run();
    }
    if (to < total) {
      context.runOnContext(v -> slice(context, to, total, op, arrived));
    }
  }
}
