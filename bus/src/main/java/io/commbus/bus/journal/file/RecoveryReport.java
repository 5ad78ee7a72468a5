package io.commbus.bus.journal.file;

import java.nio.file.Path;

/** What opening a file journal found: where it ends, and what it cut from a damaged tail. */
public final class RecoveryReport {

  private final long lastPosition;
  private final long truncatedBytes;
  private final String problem;
  private final Path segment;

  RecoveryReport(long lastPosition, long truncatedBytes, String problem, Path segment) {
    this.lastPosition = lastPosition;
    this.truncatedBytes = truncatedBytes;
    this.problem = problem;
    this.segment = segment;
  }

  /** The last valid position after recovery; 0 for an empty journal. */
  public long lastPosition() {
    return lastPosition;
  }

  /** Bytes cut from the end of the last segment; 0 when the tail was clean. */
  public long truncatedBytes() {
    return truncatedBytes;
  }

  /** Why the tail was cut (a torn record, a CRC mismatch, ...); null when nothing was cut. */
  public String problem() {
    return problem;
  }

  /** The segment that was cut, or null. */
  public Path segment() {
    return segment;
  }

  public boolean clean() {
    return truncatedBytes == 0;
  }

  @Override
  public String toString() {
    return clean() ? "clean, last position " + lastPosition
        : "cut " + truncatedBytes + " bytes from " + segment.getFileName() + " (" + problem + "), last position "
        + lastPosition;
  }
}
