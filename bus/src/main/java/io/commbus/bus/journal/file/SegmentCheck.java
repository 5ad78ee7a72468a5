package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one segment file read-only and checks it: the header, each record's length and CRC32C,
 * and that positions run densely from the segment's base. Every valid record goes to a visitor.
 * Record lengths chain, so past the first bad record nothing else in the segment can be found:
 * the walk of that segment ends there, and the rest is reported as unreadable.
 */
final class SegmentCheck {

  /** Sees each valid record in order. */
  interface Visitor {
    /** False stops the walk. May throw on a payload it cannot read, which counts as damage. */
    boolean record(long position, byte[] payload, int offset, int length);
  }

  final Path file;
  final String name;
  final long base;
  final boolean last;
  final List<JournalProblem> problems = new ArrayList<>();
  long fileBytes;
  /** The offset just past the last valid record. */
  long validEnd = Segment.HEADER_BYTES;
  long records;
  /** The last valid position here; base - 1 when there is none. */
  long lastPosition;
  /** Whether the segment's data (not its index) is damaged. */
  boolean damaged;
  /** Whether the visitor stopped the walk before the end. */
  boolean stopped;

  private SegmentCheck(Path file, boolean last) {
    this.file = file;
    this.name = file.getFileName().toString();
    this.base = Segment.baseOf(file);
    this.last = last;
    this.lastPosition = base - 1;
  }

  /**
   * Checks {@code file}; {@code last} says whether it is the journal's newest segment, whose
   * damaged tail the journal cuts on open, and {@code checkIndex} whether to check its .idx too.
   */
  static SegmentCheck run(Path file, boolean last, int maxRecordBytes, boolean checkIndex, Visitor visitor)
      throws IOException {
    SegmentCheck check = new SegmentCheck(file, last);
    check.walk(maxRecordBytes, checkIndex, visitor);
    return check;
  }

  private void walk(int maxRecordBytes, boolean checkIndex, Visitor visitor) throws IOException {
    fileBytes = Files.size(file);
    Segment segment;
    try {
      segment = Segment.open(file, false);
    } catch (Segment.BadHeader e) {
      damaged = true;
      validEnd = 0;
      problems.add(new JournalProblem(name, 0, base, "bad segment header: the file " + e.reason));
      return;
    }
    try {
      IndexCheck index = checkIndex ? IndexCheck.load(segment.indexFile, file, problems) : null;
      fileBytes = segment.channel.size();
      SegmentScanner scanner = new SegmentScanner(segment.channel, Segment.HEADER_BYTES, fileBytes, maxRecordBytes);
      long expected = base;
      while (!damaged && !stopped && scanner.next()) {
        if (scanner.position != expected) {
          damage(scanner.recordOffset, "a record for position " + scanner.position + " where " + expected
              + " was expected");
          break;
        }
        boolean more;
        try {
          more = visitor.record(expected, scanner.payload, scanner.payloadOffset, scanner.payloadLength);
        } catch (RuntimeException e) {
          damage(scanner.recordOffset, "a malformed record at position " + expected + " (" + e.getMessage() + ")");
          break;
        }
        if (index != null) {
          index.record(scanner.recordOffset, expected);
        }
        records++;
        lastPosition = expected++;
        validEnd = scanner.offset();
        stopped = !more;
      }
      if (!damaged && !stopped && scanner.problem != null) {
        damage(scanner.offset(), atPosition(scanner.problem, expected));
      }
      if (index != null && !stopped) {
        index.finish(validEnd, !damaged);
      }
    } finally {
      segment.close();
    }
  }

  /** "a torn record: 9 bytes announced" becomes "a torn record at position 5: 9 bytes announced". */
  private static String atPosition(String problem, long position) {
    int colon = problem.indexOf(':');
    return colon < 0 ? problem + " at position " + position
        : problem.substring(0, colon) + " at position " + position + problem.substring(colon);
  }

  private void damage(long offset, String what) {
    damaged = true;
    long rest = fileBytes - offset;
    // The journal cuts a damaged tail of its newest segment when it opens; older ones it cannot mend.
    String consequence = last ? "; opening the journal for writing cuts these last " + rest + " bytes"
        : "; the segment's last " + rest + " bytes cannot be read";
    problems.add(new JournalProblem(name, offset, lastPosition + 1, what + consequence));
  }
}
