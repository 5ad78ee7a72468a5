package io.commbus.bus.journal.file;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What a journal directory holds, as counted by {@link JournalInspector#stats()}. */
public final class JournalStats {

  private final int segments;
  private final long bytes;
  private final long records;
  private final long firstPosition;
  private final long lastPosition;
  private final Map<String, Long> types;
  private final Instant oldest;
  private final Instant newest;
  private final List<JournalProblem> problems;

  JournalStats(int segments, long bytes, long records, long firstPosition, long lastPosition, Map<String, Long> types,
      Instant oldest, Instant newest, List<JournalProblem> problems) {
    this.segments = segments;
    this.bytes = bytes;
    this.records = records;
    this.firstPosition = firstPosition;
    this.lastPosition = lastPosition;
    this.types = types;
    this.oldest = oldest;
    this.newest = newest;
    this.problems = problems;
  }

  public int segments() {
    return segments;
  }

  /** The size of all segment files together. */
  public long bytes() {
    return bytes;
  }

  /** Valid records only: damaged ones are not counted. */
  public long records() {
    return records;
  }

  /** The first valid position; 0 when there are no records. */
  public long firstPosition() {
    return firstPosition;
  }

  /** The last valid position; 0 when there are no records. */
  public long lastPosition() {
    return lastPosition;
  }

  /** Records per event type, most frequent first (ties by name). */
  public Map<String, Long> types() {
    return types;
  }

  /** The earliest event timestamp; null when there are no records. Publishers set timestamps, so
   *  they need not follow positions. */
  public Instant oldest() {
    return oldest;
  }

  /** The latest event timestamp; null when there are no records. */
  public Instant newest() {
    return newest;
  }

  /** What got in the way of counting; empty when every record could be read. */
  public List<JournalProblem> problems() {
    return problems;
  }
}
