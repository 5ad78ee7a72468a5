package io.commbus.bus.journal.file;

/**
 * One thing wrong in a journal directory, located well enough to look at with a hex dump: the
 * file, the byte offset in it, the journal position concerned and a typed {@link DamageCause}.
 * Decide by {@link #cause()}; the words of {@link #description()} are for people, and are
 * written here and nowhere else, from the facts each factory below is given.
 */
public final class JournalProblem {

  private final String file;
  private final long offset;
  private final long position;
  private final DamageCause cause;
  private final String what;
  private final long unreadableBytes;
  private final boolean newestSegment;
  /** Whether opening the journal for writing refuses this: damage no crash explains, that a cut would not mend. */
  private final boolean refusesOpening;

  private JournalProblem(String file, long offset, long position, DamageCause cause, String what,
      long unreadableBytes, boolean newestSegment) {
    this(file, offset, position, cause, what, unreadableBytes, newestSegment, false);
  }

  private JournalProblem(String file, long offset, long position, DamageCause cause, String what,
      long unreadableBytes, boolean newestSegment, boolean refusesOpening) {
    this.file = file;
    this.offset = offset;
    this.position = position;
    this.cause = cause;
    this.what = what;
    this.unreadableBytes = unreadableBytes;
    this.newestSegment = newestSegment;
    this.refusesOpening = refusesOpening;
  }

  /**
   * This damage to a record of the newest segment, with a valid record for {@code position}
   * found after it at {@code offset}: so it is no torn tail, and cutting it would lose that
   * record and whatever follows.
   */
  JournalProblem followedBy(long offset, long position) {
    return new JournalProblem(file, this.offset, this.position, cause, what + ", followed by a valid record for"
        + " position " + position + " at offset " + offset + " (so this is no torn tail)", unreadableBytes,
        newestSegment, true);
  }

  /** This damage to a record of an older segment, which costs the positions up to the next segment's base. */
  JournalProblem costingRecords() {
    return new JournalProblem(file, offset, position, cause, what, unreadableBytes, newestSegment, true);
  }

  // ------------------------------------------------------------------ records

  /**
   * Damage to the record at {@code offset}, where {@code position} was expected; the walk of
   * the segment ends there. {@code found} is what the frame holds instead: the length it
   * announces ({@link DamageCause#TORN_TAIL}, {@link DamageCause#BAD_LENGTH}) or the position
   * stored in it ({@link DamageCause#OUT_OF_SEQUENCE}); unused otherwise.
   */
  static JournalProblem inRecord(DamageCause cause, String segment, long offset, long position, long found,
      long unreadableBytes, boolean newestSegment) {
    String what;
    switch (cause) {
      case TORN_TAIL:
        what = unreadableBytes < RecordFormat.FRAME_BYTES
            ? "a torn record header at position " + position + ": only " + unreadableBytes + " bytes left"
            : "a torn record at position " + position + ": " + found + " bytes announced, "
            + (unreadableBytes - RecordFormat.FRAME_BYTES) + " present";
        break;
      case BAD_LENGTH:
        what = "an implausible record length " + found + " at position " + position;
        break;
      case BAD_CHECKSUM:
        what = "a CRC mismatch at position " + position;
        break;
      case MALFORMED_RECORD:
        what = "a malformed record at position " + position + " (its fields do not fill its length)";
        break;
      case OUT_OF_SEQUENCE:
        what = "a record for position " + found + " where " + position + " was expected";
        break;
      default:
        throw new IllegalArgumentException(cause + " is not damage to a record");
    }
    return new JournalProblem(segment, offset, position, cause, what, unreadableBytes, newestSegment);
  }

  /** A record whose frame checks out but which could not be read: {@code reason} says why. */
  static JournalProblem unreadable(String segment, long offset, long position, String reason, long unreadableBytes,
      boolean newestSegment) {
    return new JournalProblem(segment, offset, position, DamageCause.MALFORMED_RECORD, "a malformed record at "
        + "position " + position + " (" + reason + ")", unreadableBytes, newestSegment);
  }

  // ------------------------------------------------------------------ segments

  static JournalProblem badHeader(String segment, long base, long fileBytes) {
    return new JournalProblem(segment, 0, base, DamageCause.BAD_SEGMENT_HEADER, "bad segment header: the file "
        + (fileBytes < Segment.HEADER_BYTES ? "is too short to be a journal segment"
        : "is not a journal segment for position " + base), 0, false);
  }

  static JournalProblem tornNewSegment(String segment, long base, long fileBytes) {
    return new JournalProblem(segment, 0, base, DamageCause.TORN_SEGMENT_HEADER,
        "a new segment without a whole header: " + fileBytes + " bytes", fileBytes, true);
  }

  /** Positions {@code firstMissing} to the base of {@code next}, less one, are in no segment. */
  static JournalProblem gap(String segment, long validEnd, long firstMissing, String next, long nextBase) {
    return new JournalProblem(segment, validEnd, firstMissing, DamageCause.SEQUENCE_GAP, "ends at position "
        + (firstMissing - 1) + " but the next segment " + next + " starts at " + nextBase + ": positions "
        + firstMissing + ".." + (nextBase - 1) + " are missing", 0, false, true);
  }

  static JournalProblem overlap(String segment, long base, String previous, long previousLast) {
    return new JournalProblem(segment, 0, base, DamageCause.SEQUENCE_OVERLAP, "starts at position " + base
        + ", but " + previous + " already holds positions up to " + previousLast, 0, false, true);
  }

  // ------------------------------------------------------------------ index files

  static JournalProblem tornIndex(String index, long offset, int leftover) {
    return new JournalProblem(index, offset, -1, DamageCause.TORN_INDEX, "a torn index entry (" + leftover
        + " bytes) at the end", 0, false);
  }

  static JournalProblem indexOutOfOrder(String index, long entryOffset, long position, String segment, long points) {
    return indexMismatch(index, entryOffset, position, segment, points,
        ", not after the previous entry's offset; later entries not checked");
  }

  static JournalProblem indexNamesAnother(String index, long entryOffset, long position, String segment, long points,
      long stored) {
    return indexMismatch(index, entryOffset, position, segment, points, ", where position " + stored + " is stored");
  }

  static JournalProblem indexPastEnd(String index, long entryOffset, long position, String segment, long points,
      long validEnd) {
    return indexMismatch(index, entryOffset, position, segment, points, ", past its last record (which ends at "
        + validEnd + ")");
  }

  static JournalProblem indexBetweenRecords(String index, long entryOffset, long position, String segment,
      long points) {
    return indexMismatch(index, entryOffset, position, segment, points, ", where no record starts");
  }

  private static JournalProblem indexMismatch(String index, long entryOffset, long position, String segment,
      long points, String where) {
    return new JournalProblem(index, entryOffset, position, DamageCause.INDEX_MISMATCH, "index entry for position "
        + position + " points to " + segment + " offset " + points + where, 0, false);
  }

  /** The end marker says one thing, the walk of the segment found another. */
  static JournalProblem endDisagrees(String index, long markerOffset, String segment, SegmentEnd said,
      long fileBytes, long lastPosition) {
    return new JournalProblem(index, markerOffset, said.lastPosition(), DamageCause.END_MARKER_MISMATCH,
        "the end-of-segment marker says " + segment + " holds " + said.length() + " bytes up to position "
        + said.lastPosition() + ", but it holds " + fileBytes + " bytes with valid records up to position "
        + lastPosition, 0, false);
  }

  static JournalProblem endUnreadable(String index, long markerOffset, long base) {
    return new JournalProblem(index, markerOffset, base, DamageCause.END_MARKER_MISMATCH,
        "an end-of-segment marker whose CRC does not match", 0, false);
  }

  // ------------------------------------------------------------------ reading it

  /** The file name (no directory), a {@code .seg} or {@code .idx} file. */
  public String file() {
    return file;
  }

  /** The byte offset in {@link #file()} where the problem starts. */
  public long offset() {
    return offset;
  }

  /** The journal position the problem concerns: the one expected at {@link #offset()}; -1 if none. */
  public long position() {
    return position;
  }

  public DamageCause cause() {
    return cause;
  }

  /** Bytes from {@link #offset()} to the end of the file that no reader can use; 0 when nothing is lost. */
  public long unreadableBytes() {
    return unreadableBytes;
  }

  /** What is wrong and what it costs, in words. */
  public String description() {
    if (cause == DamageCause.TORN_SEGMENT_HEADER) {
      return what + "; opening the journal for writing removes it";
    }
    if (refusesOpening) {
      return what + "; opening the journal for writing refuses it and changes nothing";
    }
    if (!cause.losesRecords()) {
      return what;
    }
    // Opening cuts a damaged tail of the newest segment; bytes after the last record of an
    // older one that still joins its successor cost no record.
    return what + (newestSegment ? "; opening the journal for writing cuts these last " + unreadableBytes + " bytes"
        : "; the segment's last " + unreadableBytes + " bytes hold no record");
  }

  /** What is wrong, without what it costs: for reports that say themselves what was done about it. */
  String what() {
    return what;
  }

  /** Whether opening the journal mends this by cutting or removing what it concerns. */
  boolean cutOnOpen() {
    return newestSegment && !refusesOpening && (cause.losesRecords() || cause == DamageCause.TORN_SEGMENT_HEADER);
  }

  /**
   * Whether opening the journal for writing refuses to go on past this, changing nothing: record
   * damage that is no torn tail (a valid record follows it, or it is in an older segment and
   * positions are missing), or positions missing or doubled between segments.
   */
  public boolean refusesOpening() {
    return refusesOpening;
  }

  @Override
  public String toString() {
    return file + " offset " + offset + ": " + description();
  }
}
