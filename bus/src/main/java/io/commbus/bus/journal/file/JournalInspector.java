package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalRecord;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Looks into a file journal's directory without opening it as a journal: the same walk that
 * recovery runs ({@link JournalWalk}), in {@link JournalWalk.Mode#VERIFY VERIFY} mode, so
 * segment files are opened read-only and nothing is written, truncated or created. It is safe
 * on a damaged journal (which {@link FileJournal#open} would cut) and beside a running one
 * (whose newest record may then show as torn while it is being written). Records count as
 * valid here exactly when recovery would keep them. Blocking; not for an event loop.
 */
public final class JournalInspector {

  private final Path directory;

  public JournalInspector(Path directory) {
    this.directory = directory;
  }

  /** The segment files, oldest first. */
  public List<Path> segmentFiles() throws IOException {
    return JournalWalk.segmentFiles(directory);
  }

  /** Counts what the journal holds; damaged records are left out and listed as problems. */
  public JournalStats stats() throws IOException {
    Map<String, Long> types = new HashMap<>();
    long[] first = {0};
    long[] times = {Long.MAX_VALUE, Long.MIN_VALUE};
    List<WalkedSegment> walked = JournalWalk.verify(false).run(segmentFiles(), (position, at, payload, offset, l) -> {
      String type = RecordFormat.type(payload, offset);
      long timestamp = RecordFormat.timestamp(payload, offset);
      types.merge(type, 1L, Long::sum);
      first[0] = first[0] == 0 ? position : first[0];
      times[0] = Math.min(times[0], timestamp);
      times[1] = Math.max(times[1], timestamp);
      return true;
    });
    long records = walked.stream().mapToLong(s -> s.records).sum();
    Map<String, Long> ranked = new LinkedHashMap<>();
    types.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> ranked.put(e.getKey(), e.getValue()));
    return new JournalStats(walked.size(), walked.stream().mapToLong(s -> s.fileBytes).sum(), records, first[0],
        JournalWalk.lastValid(walked), Collections.unmodifiableMap(ranked),
        records == 0 ? null : Instant.ofEpochMilli(times[0]), records == 0 ? null : Instant.ofEpochMilli(times[1]),
        JournalWalk.problems(walked));
  }

  /**
   * Hands records from {@code fromPosition} on, in order, to {@code each}: all of them, or only
   * those of {@code types} when it is not empty, at most {@code limit} (0 for no limit).
   * Returns the problems met on the way; damaged records are never handed out.
   */
  public List<JournalProblem> tail(long fromPosition, Set<String> types, long limit, Consumer<JournalRecord> each)
      throws IOException {
    List<Path> files = segmentFiles();
    int start = 0;
    // Segments wholly before fromPosition are skipped: the next one starts at or before it.
    while (start + 1 < files.size() && Segment.baseOf(files.get(start + 1)) <= fromPosition) {
      start++;
    }
    long[] handed = {0};
    List<WalkedSegment> walked = JournalWalk.verify(false).run(files.subList(start, files.size()),
        (position, at, payload, offset, length) -> {
          if (position < fromPosition || !matches(types, payload, offset)) {
            return true;
          }
          each.accept(RecordFormat.decode(payload, offset, length));
          handed[0]++;
          return limit <= 0 || handed[0] < limit;
        });
    return JournalWalk.problems(walked);
  }

  /**
   * Hands the last {@code count} records (of {@code types} when not empty) to {@code each}, in
   * order, reading segments from the newest back only as far as needed. Returns the problems
   * met in the segments read.
   */
  public List<JournalProblem> last(int count, Set<String> types, Consumer<JournalRecord> each) throws IOException {
    List<Path> files = segmentFiles();
    Deque<JournalRecord> found = new ArrayDeque<>();
    List<WalkedSegment> walked = new ArrayList<>();
    JournalWalk walk = JournalWalk.verify(false);
    for (int i = files.size() - 1; i >= 0 && found.size() < count; i--) {
      int wanted = count - found.size();
      Deque<JournalRecord> latest = new ArrayDeque<>();
      walked.addAll(0, walk.run(files.subList(i, i + 1), i == files.size() - 1,
          (position, at, payload, offset, length) -> {
            if (matches(types, payload, offset)) {
              if (latest.size() == wanted) {
                latest.removeFirst();
              }
              latest.addLast(RecordFormat.decode(payload, offset, length));
            }
            return true;
          }));
      latest.descendingIterator().forEachRemaining(found::addFirst);
    }
    found.forEach(each);
    return JournalWalk.problems(walked);
  }

  /**
   * Checks everything: each segment's header, each record's length, CRC32C, encoding and
   * position, positions dense across segments from the first segment's base, each index entry
   * against the record it points to, and each end-of-segment marker against its segment.
   */
  public VerifyReport verify() throws IOException {
    long[] first = {0};
    List<WalkedSegment> walked = JournalWalk.verify(true).run(segmentFiles(), (position, at, payload, offset, l) -> {
      first[0] = first[0] == 0 ? position : first[0];
      return true;
    });
    return new VerifyReport(walked.size(), walked.stream().mapToLong(s -> s.records).sum(), first[0],
        JournalWalk.lastValid(walked), JournalWalk.problems(walked));
  }

  private static boolean matches(Set<String> types, byte[] payload, int offset) {
    return types.isEmpty() || types.contains(RecordFormat.type(payload, offset));
  }
}
