package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a segment's sparse index against the records a scan actually finds: every entry must
 * name the offset where a record starts and that record's position. The index is only a hint,
 * but a wrong entry sends reads into the middle of a record, so verify reports it. Records
 * arrive in offset order, so the check walks the entries alongside and keeps nothing else.
 */
final class IndexCheck {

  private static final int ENTRY_BYTES = 16;

  private final String name;
  private final String segmentName;
  private final List<JournalProblem> problems;
  private long[] positions = new long[0];
  private long[] offsets = new long[0];
  private int next;

  private IndexCheck(Path indexFile, Path segmentFile, List<JournalProblem> problems) {
    this.name = indexFile.getFileName().toString();
    this.segmentName = segmentFile.getFileName().toString();
    this.problems = problems;
  }

  /**
   * Reads the index beside a segment; a missing index is fine (the journal scans instead).
   * Problems found, now or as records are fed, are added to {@code problems}.
   */
  static IndexCheck load(Path indexFile, Path segmentFile, List<JournalProblem> problems) throws IOException {
    IndexCheck check = new IndexCheck(indexFile, segmentFile, problems);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(indexFile);
    } catch (NoSuchFileException e) {
      return check;
    }
    int whole = bytes.length / ENTRY_BYTES;
    if (bytes.length % ENTRY_BYTES != 0) {
      problems.add(new JournalProblem(check.name, (long) whole * ENTRY_BYTES, -1, "a torn index entry ("
          + bytes.length % ENTRY_BYTES + " bytes) at the end"));
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long[] positions = new long[whole];
    long[] offsets = new long[whole];
    int count = 0;
    for (; count < whole; count++) {
      positions[count] = in.getLong();
      offsets[count] = in.getLong();
      if (offsets[count] < Segment.HEADER_BYTES || count > 0 && offsets[count] <= offsets[count - 1]) {
        // Entries must climb through the file; past a bad one the rest cannot be matched to records.
        problems.add(new JournalProblem(check.name, (long) count * ENTRY_BYTES, positions[count],
            "index entry for position " + positions[count] + " points to " + check.segmentName + " offset "
            + offsets[count] + ", not after the previous entry's offset; later entries not checked"));
        break;
      }
    }
    check.positions = Arrays.copyOf(positions, count);
    check.offsets = Arrays.copyOf(offsets, count);
    return check;
  }

  /** A valid record starts at {@code offset}; called in increasing offset order. */
  void record(long offset, long position) {
    while (next < offsets.length && offsets[next] < offset) {
      notARecordStart(next++);
    }
    if (next < offsets.length && offsets[next] == offset) {
      if (positions[next] != position) {
        problems.add(new JournalProblem(name, (long) next * ENTRY_BYTES, positions[next], "index entry for position "
            + positions[next] + " points to " + segmentName + " offset " + offset + ", where position " + position
            + " is stored"));
      }
      next++;
    }
  }

  /**
   * The scan ended at {@code validEnd}. Entries short of it point between records. Entries past
   * it are wrong only if the segment is whole: past damage nothing can be told about them.
   */
  void finish(long validEnd, boolean segmentWhole) {
    for (; next < offsets.length; next++) {
      if (offsets[next] < validEnd) {
        notARecordStart(next);
      } else if (segmentWhole) {
        problems.add(new JournalProblem(name, (long) next * ENTRY_BYTES, positions[next], "index entry for position "
            + positions[next] + " points to " + segmentName + " offset " + offsets[next]
            + ", past its last record (which ends at " + validEnd + ")"));
      }
    }
  }

  private void notARecordStart(int entry) {
    problems.add(new JournalProblem(name, (long) entry * ENTRY_BYTES, positions[entry], "index entry for position "
        + positions[entry] + " points to " + segmentName + " offset " + offsets[entry]
        + ", where no record starts"));
  }
}
