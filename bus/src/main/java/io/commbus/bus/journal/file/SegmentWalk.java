package io.commbus.bus.journal.file;

import java.io.IOException;

/**
 * Walks the records of one open segment in order and decides which are valid: the one
 * definition recovery and verify share. A record is valid if the {@link SegmentScanner} accepts
 * its frame (length, CRC32C, well-formed payload) and its position is the next one from the
 * segment's base. Each valid record goes to the visitor. Record lengths chain, so past the
 * first invalid record nothing else in the segment can be found: the walk ends there with one
 * typed damage. Reads only.
 */
final class SegmentWalk {

  /** Sees each valid record in order. */
  interface Visitor {
    /** False stops the walk. May throw on a payload it cannot read, which counts as damage. */
    boolean record(long position, long offset, byte[] payload, int payloadOffset, int length);
  }

  /** Takes every record. */
  static final Visitor ALL = (position, offset, payload, payloadOffset, length) -> true;

  long records;
  /** The last valid position; base - 1 when there is none. */
  long lastPosition;
  /** Where the last valid record starts; -1 when there is none. */
  long lastRecordOffset = -1;
  /** The offset just past the last valid record. */
  long validEnd = Segment.HEADER_BYTES;
  /** Where the walk ended before the end of the file, and why; null if it did not. */
  JournalProblem damage;
  /** Whether the visitor stopped the walk. */
  boolean stopped;

  private SegmentWalk(long base) {
    this.lastPosition = base - 1;
  }

  /** Walks {@code segment}'s first {@code fileBytes} bytes; {@code newest} says whether it is the journal's newest. */
  static SegmentWalk run(Segment segment, long fileBytes, boolean newest, Visitor visitor) throws IOException {
    SegmentWalk walk = new SegmentWalk(segment.basePosition);
    String name = segment.file.getFileName().toString();
    SegmentScanner scanner = new SegmentScanner(segment.channel, Segment.HEADER_BYTES, fileBytes);
    long expected = segment.basePosition;
    while (!walk.stopped && scanner.next()) {
      long unreadable = fileBytes - scanner.recordOffset;
      if (scanner.position != expected) {
        walk.damage = JournalProblem.inRecord(DamageCause.OUT_OF_SEQUENCE, name, scanner.recordOffset, expected,
            scanner.position, unreadable, newest);
        if (newest && scanner.position > expected) {
          // A whole record from later on: the positions between were lost, not torn off.
          walk.damage = walk.damage.followedBy(scanner.recordOffset, scanner.position);
          return walk;
        }
        return walk.checkTail(scanner, scanner.recordOffset, expected, newest);
      }
      boolean more;
      try {
        more = visitor.record(expected, scanner.recordOffset, scanner.payload, scanner.payloadOffset,
            scanner.payloadLength);
      } catch (RuntimeException e) {
        walk.damage = JournalProblem.unreadable(name, scanner.recordOffset, expected, e.getMessage(), unreadable,
            newest);
        return walk.checkTail(scanner, scanner.recordOffset, expected, newest);
      }
      walk.records++;
      walk.lastPosition = expected++;
      walk.lastRecordOffset = scanner.recordOffset;
      walk.validEnd = scanner.offset();
      walk.stopped = !more;
    }
    if (!walk.stopped) {
      walk.damage = scanner.problem(name, expected, newest);
      if (walk.damage != null) {
        walk.checkTail(scanner, scanner.offset(), expected, newest);
      }
    }
    return walk;
  }

  /**
   * In the newest segment, damage is a torn tail only if no valid record for a later position
   * follows it: a crash tears the end of the last write, never what lies before other records.
   * Older segments have their own rule ({@link JournalWalk}).
   */
  private SegmentWalk checkTail(SegmentScanner scanner, long damagedAt, long expected, boolean newest)
      throws IOException {
    if (newest && scanner.findRecordAfter(damagedAt, expected)) {
      damage = damage.followedBy(scanner.recordOffset, scanner.position);
    }
    return this;
  }
}
