package io.commbus.process.pool;

import java.time.Duration;

/**
 * When a child that ended unasked is started again: after {@code initialDelay}, doubling per
 * consecutive failure up to {@code maxDelay}; a child that stays ready for {@code stableAfter}
 * starts counting afresh, and one that failed more than {@code maxRestarts} times in a row is
 * given up: from then on it is tried only every {@code givenUpRetry}, until a run is ready.
 */
public record RestartPolicy(Duration initialDelay, Duration maxDelay, int maxRestarts, Duration stableAfter,
                            Duration givenUpRetry) {

  /** The delay before restart number {@code failures} (1 for the first). */
  public long delayMillis(int failures) {
    long initial = initialDelay.toMillis();
    long max = maxDelay.toMillis();
    long delay = initial << Math.min(failures - 1, 30);
    return delay <= 0 || delay > max ? max : delay;
  }

  /** Whether a child with {@code failures} consecutive failures is given up. */
  public boolean givesUp(int failures) {
    return failures > maxRestarts;
  }
}
