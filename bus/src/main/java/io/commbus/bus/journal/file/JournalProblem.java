package io.commbus.bus.journal.file;

/**
 * One thing wrong in a journal directory, located well enough to look at with a hex dump:
 * the file, the byte offset in it and the journal position concerned.
 */
public final class JournalProblem {

  private final String file;
  private final long offset;
  private final long position;
  private final String description;

  JournalProblem(String file, long offset, long position, String description) {
    this.file = file;
    this.offset = offset;
    this.position = position;
    this.description = description;
  }

  /** The file name (no directory), a {@code .seg} or {@code .idx} file. */
  public String file() {
    return file;
  }

  /** The byte offset in {@link #file()} where the problem starts. */
  public long offset() {
    return offset;
  }

  /** The journal position the problem concerns: the one expected at {@link #offset()}. */
  public long position() {
    return position;
  }

  /** What is wrong, in words. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return file + " offset " + offset + ": " + description;
  }
}
