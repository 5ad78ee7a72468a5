package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads of an open journal, blocking, on whatever thread calls (Vert.x workers): positional
 * reads from the nearest index entry, never beyond the last acknowledged position.
 */
final class JournalReader {

  private final Segments segments;

  JournalReader(Segments segments) {
    this.segments = segments;
  }

  /** Records from {@code fromPosition} on; fails with STORAGE at a damaged record. */
  List<JournalRecord> read(long fromPosition, int maxRecords, Set<String> types) throws IOException {
    return read(fromPosition, maxRecords, types, false);
  }

  /**
   * Records from {@code fromPosition} on, going on with the next segment where one is damaged:
   * for opening, which reports the damage itself and must not be stopped by it.
   */
  List<JournalRecord> readPastDamage(long fromPosition, int maxRecords) throws IOException {
    return read(fromPosition, maxRecords, Set.of(), true);
  }

  private List<JournalRecord> read(long fromPosition, int maxRecords, Set<String> types, boolean pastDamage)
      throws IOException {
    long last = segments.visible;
    List<JournalRecord> out = new ArrayList<>();
    if (maxRecords <= 0 || fromPosition > last || segments.byBase.isEmpty()) {
      return out;
    }
    long from = Math.max(fromPosition, segments.firstPosition());
    Long start = segments.byBase.floorKey(from);
    for (Segment segment : segments.byBase.tailMap(start == null ? segments.byBase.firstKey() : start).values()) {
      long offset = segment.index.floorOffset(from, Segment.HEADER_BYTES);
      SegmentScanner scanner = new SegmentScanner(segment.channel, offset, segment.size);
      long next = -1;
      while (scanner.next()) {
        long position = scanner.position;
        next = position + 1;
        if (position > last) {
          return out;
        }
        if (position < from) {
          continue;
        }
        if (!types.isEmpty() && !types.contains(RecordFormat.type(scanner.payload, scanner.payloadOffset))) {
          continue;
        }
        out.add(RecordFormat.decode(scanner.payload, scanner.payloadOffset, scanner.payloadLength));
        if (out.size() == maxRecords) {
          return out;
        }
      }
      if (scanner.stop != null && !pastDamage) {
        long expected = next > 0 ? next : segment.index.floorPosition(from, segment.basePosition);
        JournalProblem problem = scanner.problem(segment.file.getFileName().toString(), expected, false);
        throw new CommBusException(ErrorCode.STORAGE, "corrupt journal record in " + problem.file() + " at offset "
            + problem.offset() + ": " + problem.what());
      }
    }
    return out;
  }
}
