package io.commbus.bus.stream;

/**
 * The receiving side's half of credit flow control, the one rule every stream consumer in
 * commbus follows (the bus's streamed queries and the child protocol's streams alike): the
 * consumer grants {@code window} items up front, and each time it has taken half a window it
 * grants that many again. The producer then never waits while the consumer keeps up, and never
 * has more than {@code window} items in flight. Not thread-safe: one owner, one thread.
 */
public final class CreditWindow {

  private final int grantEvery;
  private int taken;

  /** @param window the items the producer may have in flight; at least 1 */
  public CreditWindow(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("a credit window needs at least 1 item, got " + window);
    }
    this.grantEvery = Math.max(1, window / 2);
  }

  /** Records that the consumer took one item. */
  public void taken() {
    taken++;
  }

  /**
   * The credit to grant now: every item taken since the last grant, once they reach half a
   * window, else 0. A non-zero answer counts as granted.
   */
  public int takeDue() {
    if (taken < grantEvery) {
      return 0;
    }
    int due = taken;
    taken = 0;
    return due;
  }

  /** Records one item taken and answers {@link #takeDue()}. */
  public int takenOneThenDue() {
    taken();
    return takeDue();
  }
}
