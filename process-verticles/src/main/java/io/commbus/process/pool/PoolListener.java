package io.commbus.process.pool;

import io.commbus.process.child.ChildExit;
import io.commbus.process.wire.Protocol.HandlerKind;

/** What a pool reports about its children as it supervises them, on the pool's context. */
public interface PoolListener {

  /** A child finished its handshake. */
  void childStarted(String childId, long pid, HandlerKind kind, long startupMillis, long generation);

  /** A child ended unasked. */
  void childExited(String childId, long pid, ChildExit exit);

  /** A child will be started again after {@code delayMillis}. */
  void childRestarting(String childId, int attempt, long delayMillis);

  /**
   * A child failed {@code restarts} + 1 times in a row and is given up: from now on it is tried
   * only at the policy's slow cadence, until a run is ready ({@link #childStarted} again).
   */
  void childGaveUp(String childId, int restarts, String description);
}
