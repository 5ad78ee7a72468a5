package io.commbus.bus.journal;

import io.vertx.core.Future;

/**
 * The right to run a consumer group's dispatcher, held by one member at a time
 * ({@link DispatchLeases}). Its token grows with each new holder, so a store can refuse the
 * writes of a holder that has been superseded (fencing).
 */
public interface DispatchLease {

  /** Larger for each later holder of the same group; 0 where the leases do not fence. */
  long token();

  /**
   * Completes when the lease is no longer held: taken over after it expired, unreachable to
   * renew, or released. The holder stops dispatching then.
   */
  Future<Void> lost();

  /** Gives the lease up, so another member may take it at once. */
  Future<Void> release();
}
