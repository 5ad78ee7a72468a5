package io.commbus.bus.journal.file;

import java.util.List;

/** What {@link JournalInspector#verify()} found: how much is valid, and every problem. */
public final class VerifyReport {

  private final int segments;
  private final long validRecords;
  private final long firstPosition;
  private final long lastPosition;
  private final List<JournalProblem> problems;

  VerifyReport(int segments, long validRecords, long firstPosition, long lastPosition,
      List<JournalProblem> problems) {
    this.segments = segments;
    this.validRecords = validRecords;
    this.firstPosition = firstPosition;
    this.lastPosition = lastPosition;
    this.problems = problems;
  }

  public int segments() {
    return segments;
  }

  /** Records valid by the one definition opening also uses: length, CRC, layout and position. */
  public long validRecords() {
    return validRecords;
  }

  /** The first valid position; 0 when there are none. */
  public long firstPosition() {
    return firstPosition;
  }

  /** The last valid position; 0 when there are none. */
  public long lastPosition() {
    return lastPosition;
  }

  /** Every problem, in file order. */
  public List<JournalProblem> problems() {
    return problems;
  }

  public boolean clean() {
    return problems.isEmpty();
  }

  @Override
  public String toString() {
    return segments + " segments, " + validRecords + " valid records, " + (clean() ? "clean"
        : problems.size() + " problems: " + problems);
  }
}
