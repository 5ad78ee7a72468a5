package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks a segment's index file against the records a walk actually finds: every entry must
 * name the offset where a record starts and that record's position, and an end-of-segment
 * marker must say what the walk found. The index is only a hint, but a wrong entry sends reads
 * into the middle of a record, and a wrong marker would let opening trust a segment it should
 * read, so verify reports both. Records arrive in offset order, so the check walks the entries
 * alongside and keeps nothing else.
 */
final class IndexCheck {

  private final String name;
  private final String segmentName;
  private final IndexFile file;
  private final List<JournalProblem> problems;
  private int next;
  /** Whether an entry was found wrong: the marker's CRC covers the entries, so it cannot match either. */
  private boolean entriesWrong;

  private IndexCheck(Path indexFile, Path segmentFile, IndexFile file, List<JournalProblem> problems) {
    this.name = indexFile.getFileName().toString();
    this.segmentName = segmentFile.getFileName().toString();
    this.file = file;
    this.problems = problems;
  }

  /**
   * Reads the index beside a segment; a missing index, or one without a marker, is fine (the
   * journal walks the segment instead). Problems found, now or as records are fed, are added
   * to {@code problems}.
   */
  static IndexCheck load(Path indexFile, Path segmentFile, List<JournalProblem> problems) throws IOException {
    IndexCheck check = new IndexCheck(indexFile, segmentFile, IndexFile.read(indexFile), problems);
    IndexFile file = check.file;
    check.entriesWrong = file.tornBytes > 0 || file.outOfOrder >= 0;
    if (file.tornBytes > 0) {
      problems.add(JournalProblem.tornIndex(check.name, file.tornAt, file.tornBytes));
    }
    if (file.outOfOrder >= 0) {
      problems.add(JournalProblem.indexOutOfOrder(check.name, (long) file.outOfOrder * IndexFile.ENTRY_BYTES,
          file.outOfOrderPosition, check.segmentName, file.outOfOrderOffset));
    }
    return check;
  }

  /** A valid record starts at {@code offset}; called in increasing offset order. */
  void record(long offset, long position) {
    while (next < file.offsets.length && file.offsets[next] < offset) {
      betweenRecords(next++);
    }
    if (next < file.offsets.length && file.offsets[next] == offset) {
      if (file.positions[next] != position) {
        entriesWrong = true;
        problems.add(JournalProblem.indexNamesAnother(name, entryOffset(next), file.positions[next], segmentName,
            offset, position));
      }
      next++;
    }
  }

  /**
   * The walk ended: {@code walk} found valid records up to its {@code validEnd} in a file of
   * {@code fileBytes}. Entries short of the end point between records. Entries past it are
   * wrong only if the segment is whole: past damage nothing can be told about them. Likewise a
   * marker of a damaged segment is held only to the file's length; the last position it names
   * is past the damage, which is reported already.
   */
  void finish(SegmentWalk walk, long fileBytes) {
    boolean whole = walk.damage == null;
    for (; next < file.offsets.length; next++) {
      if (file.offsets[next] < walk.validEnd) {
        betweenRecords(next);
      } else if (whole) {
        entriesWrong = true;
        problems.add(JournalProblem.indexPastEnd(name, entryOffset(next), file.positions[next], segmentName,
            file.offsets[next], walk.validEnd));
      }
    }
    if (file.markerOffset < 0) {
      return;
    }
    if (file.end == null) {
      if (!entriesWrong) {
        problems.add(JournalProblem.endUnreadable(name, file.markerOffset, walk.lastPosition + 1));
      }
    } else if (file.end.length() != fileBytes || whole && (file.end.lastPosition() != walk.lastPosition
        || file.end.lastRecordOffset() != walk.lastRecordOffset)) {
      problems.add(JournalProblem.endDisagrees(name, file.markerOffset, segmentName, file.end, fileBytes,
          walk.lastPosition));
    }
  }

  private static long entryOffset(int entry) {
    return (long) entry * IndexFile.ENTRY_BYTES;
  }

  private void betweenRecords(int entry) {
    entriesWrong = true;
    problems.add(JournalProblem.indexBetweenRecords(name, entryOffset(entry), file.positions[entry], segmentName,
        file.offsets[entry]));
  }
}
