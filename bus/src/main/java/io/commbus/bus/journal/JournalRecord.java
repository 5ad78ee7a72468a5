package io.commbus.bus.journal;

/** A stored event and the position the journal gave it. */
public final class JournalRecord {

  private final long position;
  private final JournalEvent event;

  public JournalRecord(long position, JournalEvent event) {
    this.position = position;
    this.event = event;
  }

  /** Dense, increasing from 1, never reused. */
  public long position() {
    return position;
  }

  public JournalEvent event() {
    return event;
  }

  @Override
  public String toString() {
    return "#" + position + " " + event.type() + " " + event.id();
  }
}
