package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Looks into a file journal's directory without opening it as a journal: segment files are
 * opened read-only and nothing is written, truncated or created, so it is safe on a damaged
 * journal (which {@link FileJournal#open} would cut) and beside a running one (whose newest
 * record may then show as torn while it is being written). Blocking; not for an event loop.
 */
public final class JournalInspector {

  private final Path directory;
  private final int maxRecordBytes;

  /** Inspects a journal written with the default maximum record size. */
  public JournalInspector(Path directory) {
    this(directory, new FileJournalOptions().getMaxRecordBytes());
  }

  /** {@code maxRecordBytes} as the journal was configured: longer lengths count as damage. */
  public JournalInspector(Path directory, int maxRecordBytes) {
    this.directory = directory;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** The segment files, oldest first. */
  public List<Path> segmentFiles() throws IOException {
    try (Stream<Path> listing = Files.list(directory)) {
      return listing.filter(p -> Segment.baseOf(p) > 0)
          .sorted(Comparator.comparingLong(Segment::baseOf))
          .collect(Collectors.toList());
    }
  }

  /** Counts what the journal holds; damaged records are left out and listed as problems. */
  public JournalStats stats() throws IOException {
    Map<String, Long> types = new HashMap<>();
    long[] first = {0};
    long[] times = {Long.MAX_VALUE, Long.MIN_VALUE};
    List<SegmentCheck> checks = walk(segmentFiles(), false, (position, payload, offset, length) -> {
      String type = RecordFormat.type(payload, offset);
      long timestamp = RecordFormat.timestamp(payload, offset);
      types.merge(type, 1L, Long::sum);
      first[0] = first[0] == 0 ? position : first[0];
      times[0] = Math.min(times[0], timestamp);
      times[1] = Math.max(times[1], timestamp);
      return true;
    });
    long records = checks.stream().mapToLong(c -> c.records).sum();
    Map<String, Long> ranked = new LinkedHashMap<>();
    types.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> ranked.put(e.getKey(), e.getValue()));
    return new JournalStats(checks.size(), checks.stream().mapToLong(c -> c.fileBytes).sum(), records, first[0],
        lastValid(checks), Collections.unmodifiableMap(ranked),
        records == 0 ? null : Instant.ofEpochMilli(times[0]), records == 0 ? null : Instant.ofEpochMilli(times[1]),
        problems(checks));
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
    List<SegmentCheck> checks = walk(files.subList(start, files.size()), false, (position, payload, offset, length) -> {
      if (position < fromPosition || !matches(types, payload, offset)) {
        return true;
      }
      each.accept(RecordFormat.decode(payload, offset, length));
      handed[0]++;
      return limit <= 0 || handed[0] < limit;
    }, files.size() - 1 - start);
    return problems(checks);
  }

  /**
   * Hands the last {@code count} records (of {@code types} when not empty) to {@code each}, in
   * order, reading segments from the newest back only as far as needed. Returns the problems
   * met in the segments read.
   */
  public List<JournalProblem> last(int count, Set<String> types, Consumer<JournalRecord> each) throws IOException {
    List<Path> files = segmentFiles();
    Deque<JournalRecord> found = new ArrayDeque<>();
    List<SegmentCheck> checks = new ArrayList<>();
    for (int i = files.size() - 1; i >= 0 && found.size() < count; i--) {
      int wanted = count - found.size();
      Deque<JournalRecord> latest = new ArrayDeque<>();
      checks.add(0, SegmentCheck.run(files.get(i), i == files.size() - 1, maxRecordBytes, false,
          (position, payload, offset, length) -> {
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
    return problems(checks);
  }

  /**
   * Checks everything: each segment's header, each record's length, CRC32C, position and
   * encoding, positions dense across segments from the first segment's base, and each index
   * entry against the record it points to.
   */
  public VerifyReport verify() throws IOException {
    long[] first = {0};
    List<SegmentCheck> checks = walk(segmentFiles(), true, (position, payload, offset, length) -> {
      // Decoding proves the payload is well-formed, not just that its CRC matches.
      RecordFormat.decode(payload, offset, length);
      first[0] = first[0] == 0 ? position : first[0];
      return true;
    });
    return new VerifyReport(checks.size(), checks.stream().mapToLong(c -> c.records).sum(), first[0],
        lastValid(checks), problems(checks));
  }

  private List<SegmentCheck> walk(List<Path> files, boolean checkIndex, SegmentCheck.Visitor visitor)
      throws IOException {
    return walk(files, checkIndex, visitor, files.size() - 1);
  }

  /** Checks {@code files} in order until the visitor stops; {@code lastIndex} is the journal's newest. */
  private List<SegmentCheck> walk(List<Path> files, boolean checkIndex, SegmentCheck.Visitor visitor, int lastIndex)
      throws IOException {
    List<SegmentCheck> checks = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      SegmentCheck check = SegmentCheck.run(files.get(i), i == lastIndex, maxRecordBytes, checkIndex, visitor);
      checks.add(check);
      if (check.stopped) {
        break;
      }
    }
    return checks;
  }

  private static boolean matches(Set<String> types, byte[] payload, int offset) {
    return types.isEmpty() || types.contains(RecordFormat.type(payload, offset));
  }

  private static long lastValid(List<SegmentCheck> checks) {
    for (int i = checks.size() - 1; i >= 0; i--) {
      if (checks.get(i).records > 0) {
        return checks.get(i).lastPosition;
      }
    }
    return 0;
  }

  /**
   * Each segment's problems in file order, with a problem between two neighbours whose
   * positions do not join up. A gap after a damaged segment is not reported again: the damage
   * already explains it.
   */
  private static List<JournalProblem> problems(List<SegmentCheck> checks) {
    List<JournalProblem> problems = new ArrayList<>();
    SegmentCheck previous = null;
    for (SegmentCheck check : checks) {
      if (previous != null) {
        long expected = previous.lastPosition + 1;
        if (check.base < expected) {
          problems.add(new JournalProblem(check.name, 0, check.base, "starts at position " + check.base + ", but "
              + previous.name + " already holds positions up to " + previous.lastPosition));
        } else if (check.base > expected && !previous.damaged) {
          problems.add(new JournalProblem(previous.name, previous.validEnd, expected, "ends at position "
              + previous.lastPosition + " but the next segment " + check.name + " starts at " + check.base
              + ": positions " + expected + ".." + (check.base - 1) + " are missing"));
        }
      }
      problems.addAll(check.problems);
      previous = check;
    }
    return Collections.unmodifiableList(problems);
  }
}
