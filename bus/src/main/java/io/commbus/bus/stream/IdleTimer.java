package io.commbus.bus.stream;

import io.vertx.core.Vertx;

import java.util.function.BooleanSupplier;

/**
 * The idle timeout both ends of a stream apply: while the stream is waiting (for an item, for
 * credit) and nothing happened for {@code idleMillis}, it gives up. One timer at a time; when
 * it fires after activity it re-arms for the time that is left, so activity costs a clock read,
 * not a timer. Not thread-safe: it lives on its stream's context.
 */
final class IdleTimer {

  private final Vertx vertx;
  private final long idleMillis;
  private final BooleanSupplier waiting;
  private final Runnable onIdle;
  private long lastActivity = System.nanoTime();
  private long timer = -1;

  /**
   * @param waiting whether the stream is waiting now; the timeout only runs while it is
   * @param onIdle  what to do once it waited {@code idleMillis} with no activity
   */
  IdleTimer(Vertx vertx, long idleMillis, BooleanSupplier waiting, Runnable onIdle) {
    this.vertx = vertx;
    this.idleMillis = idleMillis;
    this.waiting = waiting;
    this.onIdle = onIdle;
  }

  long millis() {
    return idleMillis;
  }

  /** Something happened: the wait starts again from now. */
  void activity() {
    lastActivity = System.nanoTime();
  }

  /** Starts the timer if the stream is waiting and none runs. */
  void arm() {
    if (timer < 0 && waiting.getAsBoolean()) {
      timer = vertx.setTimer(idleMillis, id -> fire());
    }
  }

  void cancel() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void fire() {
    timer = -1;
    if (!waiting.getAsBoolean()) {
      return;
    }
    long idleFor = (System.nanoTime() - lastActivity) / 1_000_000;
    if (idleFor >= idleMillis) {
      onIdle.run();
    } else {
      timer = vertx.setTimer(idleMillis - idleFor, id -> fire());
    }
  }
}
