package io.commbus.bus.journal;

import io.vertx.core.Future;

/**
 * Decides which member of a consumer group dispatches its events: one at a time, wherever the
 * members run. By default a Vert.x shared-data lock (cluster-wide on a clustered Vert.x); a
 * journal that many nodes share can decide it where the events are, as the PostgreSQL journal
 * does with a lease row and a fencing token.
 */
public interface DispatchLeases {

  /**
   * Tries to take {@code group}'s lease, waiting at most a short while; fails with UNAVAILABLE
   * if another member holds it (and otherwise with why it could not ask), and the caller tries
   * again after {@link #retryDelay()}.
   */
  Future<DispatchLease> acquire(String group);

  /** How long a member waits before asking again after {@link #acquire} failed; by default at once. */
  default java.time.Duration retryDelay() {
    return java.time.Duration.ZERO;
  }
}
