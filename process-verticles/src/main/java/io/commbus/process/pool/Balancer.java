package io.commbus.process.pool;

import io.commbus.process.child.ChildProcess;

import java.util.List;

/** Picks the child for the next request: the ready one with the fewest requests in flight, under the limit. */
final class Balancer {

  private final int maxInFlight;

  Balancer(int maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  /** The least busy ready child below the in-flight limit; null when every one is busy or down. */
  ChildProcess leastBusy(List<Slot> slots) {
    ChildProcess best = null;
    for (Slot slot : slots) {
      if (!slot.serving() || slot.child.inFlight() >= maxInFlight) {
        continue;
      }
      if (best == null || slot.child.inFlight() < best.inFlight()) {
        best = slot.child;
      }
    }
    return best;
  }
}
