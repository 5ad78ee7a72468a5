package io.commbus.bus.journal.file;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What opening a file journal found: where it ends, what it cut (a torn tail of the newest
 * segment, a new segment torn before its header) and what it left in place because it costs no
 * record (bytes after the last record of an older segment that still joins the next). Damage
 * that would cost records is not here: it fails the opening ({@link JournalProblem#refusesOpening()}).
 */
public final class RecoveryReport {

  private final Path directory;
  private final long lastPosition;
  private final List<JournalProblem> cut;
  private final List<JournalProblem> remaining;
  private final int walkedSegments;

  RecoveryReport(Path directory, long lastPosition, List<JournalProblem> problems, int walkedSegments) {
    this.directory = directory;
    this.lastPosition = lastPosition;
    this.cut = problems.stream().filter(JournalProblem::cutOnOpen).collect(Collectors.toUnmodifiableList());
    this.remaining = problems.stream().filter(p -> !p.cutOnOpen()).collect(Collectors.toUnmodifiableList());
    this.walkedSegments = walkedSegments;
  }

  /** The last valid position after recovery; 0 for an empty journal. */
  public long lastPosition() {
    return lastPosition;
  }

  /** Bytes cut from the end of the newest segment or removed with a torn new one; 0 when nothing was cut. */
  public long truncatedBytes() {
    return cut.stream().mapToLong(JournalProblem::unreadableBytes).sum();
  }

  /** What was cut, typed; empty when nothing was. */
  public List<JournalProblem> cut() {
    return cut;
  }

  /** Damage found and left in place because it costs no record (older segments are never cut). */
  public List<JournalProblem> remaining() {
    return remaining;
  }

  /** Why the tail was cut (a torn record, a CRC mismatch, ...); null when nothing was cut. */
  public String problem() {
    return cut.isEmpty() ? null : cut.get(0).what();
  }

  /** The segment that was cut, or null. */
  public Path segment() {
    return cut.isEmpty() ? null : directory.resolve(cut.get(0).file());
  }

  /**
   * Closed segments read record by record because no end-of-segment marker vouched for them
   * (journals written before markers, a crash before one was written) or their marker disagreed
   * with the file. The newest segment is always read and not counted.
   */
  public int walkedSegments() {
    return walkedSegments;
  }

  /** Whether opening found nothing to cut or report. */
  public boolean clean() {
    return cut.isEmpty() && remaining.isEmpty();
  }

  @Override
  public String toString() {
    if (clean()) {
      return "clean, last position " + lastPosition;
    }
    StringBuilder text = new StringBuilder();
    for (JournalProblem problem : cut) {
      text.append(problem.cause() == DamageCause.TORN_SEGMENT_HEADER ? "removed " + problem.file()
          : "cut " + problem.unreadableBytes() + " bytes from " + problem.file()).append(" (")
          .append(problem.what()).append("), ");
    }
    for (JournalProblem problem : remaining) {
      text.append("found ").append(problem).append(", ");
    }
    return text.append("last position ").append(lastPosition).toString();
  }
}
