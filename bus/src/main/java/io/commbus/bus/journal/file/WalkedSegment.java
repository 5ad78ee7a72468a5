package io.commbus.bus.journal.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What {@link JournalWalk} learned about one segment file. */
final class WalkedSegment {

  final Path file;
  final String name;
  final long base;
  final List<JournalProblem> problems = new ArrayList<>();
  long fileBytes;
  long records;
  /** The last valid position here; base - 1 when there is none. */
  long lastPosition;
  /** The offset just past the last valid record. */
  long validEnd = Segment.HEADER_BYTES;
  /** Whether the segment's data (not its index) is damaged, or it could not be read at all. */
  boolean damaged;
  /** Whether the visitor stopped the walk before the end. */
  boolean stopped;
  /** In {@link JournalWalk.Mode#RECOVER}: the segment, open, its index and size set; null for a file removed. */
  Segment segment;
  /** In RECOVER, for the newest segment with a torn tail: the length to cut it to; -1 for no cut. */
  long cutTo = -1;
  /** In RECOVER: a closed segment found whole without a marker, to be given its index and marker. */
  boolean seal;
  /** In RECOVER: a new segment torn before its header, to be removed. */
  boolean remove;

  WalkedSegment(Path file, long fileBytes) {
    this.file = file;
    this.name = file.getFileName().toString();
    this.base = Segment.baseOf(file);
    this.fileBytes = fileBytes;
    this.lastPosition = base - 1;
  }

  /** The segment could not be walked at all: {@code problem} says why. */
  WalkedSegment unreadable(JournalProblem problem) {
    damaged = true;
    validEnd = 0;
    problems.add(problem);
    return this;
  }

  /** Takes what a walk of the records found. */
  WalkedSegment walked(SegmentWalk walk) {
    records = walk.records;
    lastPosition = walk.lastPosition;
    validEnd = walk.validEnd;
    stopped = walk.stopped;
    if (walk.damage != null) {
      damaged = true;
      problems.add(0, walk.damage);
    }
    return this;
  }

  /** Takes what a trusted end marker says, without a walk. */
  WalkedSegment vouchedFor(SegmentEnd end) {
    records = end.lastPosition() - base + 1;
    lastPosition = end.lastPosition();
    validEnd = end.length();
    return this;
  }
}
