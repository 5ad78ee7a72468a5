package io.commbus.bus.journal.file;

/**
 * What is wrong at a place in a journal directory: the cause of a {@link JournalProblem}.
 * The first group concerns records; record lengths chain, so everything from such damage to the
 * end of its segment is lost to every reader ({@link #losesRecords()}).
 */
public enum DamageCause {

  /** Fewer bytes are left than a record's length and CRC take, or than the length announces: a write cut short. */
  TORN_TAIL(true),
  /** A length no record can have: shorter than the smallest payload, or beyond what the format holds. */
  BAD_LENGTH(true),
  /** The CRC32C does not match the payload. */
  BAD_CHECKSUM(true),
  /** The CRC matches, but the payload's fields do not fill its length as the format lays them out. */
  MALFORMED_RECORD(true),
  /** A well-formed record for another position than the one expected next. */
  OUT_OF_SEQUENCE(true),

  /** The file does not start with the header of a segment for the position its name announces. */
  BAD_SEGMENT_HEADER(false),
  /** The newest segment is shorter than its header: a roll cut short. It holds no records. */
  TORN_SEGMENT_HEADER(false),
  /** Positions are missing between a segment's last record and the next segment's first. */
  SEQUENCE_GAP(false),
  /** A segment starts at a position the segment before it already holds. */
  SEQUENCE_OVERLAP(false),
  /** An index file ends in part of an entry. */
  TORN_INDEX(false),
  /** An index entry does not point at the start of the record it names. */
  INDEX_MISMATCH(false),
  /** The marker the writer left when it closed a segment disagrees with the segment, or does not check out. */
  END_MARKER_MISMATCH(false);

  private final boolean losesRecords;

  DamageCause(boolean losesRecords) {
    this.losesRecords = losesRecords;
  }

  /**
   * Whether this is damage to a record, past which nothing in the segment can be read. In the
   * newest segment, that is the tail opening the journal cuts; in an older one, reads fail there.
   */
  public boolean losesRecords() {
    return losesRecords;
  }
}
