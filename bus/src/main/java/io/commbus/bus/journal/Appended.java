package io.commbus.bus.journal;

/**
 * The outcome of an append: the event's position, and whether the event was already in the
 * journal (an idempotent retry), in which case the position is the original one.
 */
public final class Appended {

  private final long position;
  private final boolean duplicate;

  public Appended(long position, boolean duplicate) {
    this.position = position;
    this.duplicate = duplicate;
  }

  public long position() {
    return position;
  }

  public boolean duplicate() {
    return duplicate;
  }

  @Override
  public String toString() {
    return "#" + position + (duplicate ? " (duplicate)" : "");
  }
}
