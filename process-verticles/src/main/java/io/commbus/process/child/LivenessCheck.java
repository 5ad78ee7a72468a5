package io.commbus.process.child;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * Tells a hung child from a slow handler: after a request misses its deadline, the child is
 * pinged, and a child whose event loop does not answer within the grace is hung. One check at
 * a time, however many requests miss their deadline together.
 */
final class LivenessCheck {

  private final Context context;
  private final long graceMillis;
  private final Supplier<Future<Void>> ping;
  private final Runnable hung;
  private boolean running;

  /** {@code hung} runs when a ping is not answered within {@code graceMillis}. */
  LivenessCheck(Context context, long graceMillis, Supplier<Future<Void>> ping, Runnable hung) {
    this.context = context;
    this.graceMillis = graceMillis;
    this.ping = ping;
    this.hung = hung;
  }

  /** A request passed its deadline: check the child unless a check is under way. */
  void deadlineMissed() {
    if (running) {
      return;
    }
    running = true;
    long timer = context.owner().setTimer(graceMillis, t -> {
      running = false;
      hung.run();
    });
    ping.get().onSuccess(v -> {
      context.owner().cancelTimer(timer);
      running = false;
    });
  }
}
