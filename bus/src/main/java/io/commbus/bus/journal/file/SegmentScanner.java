package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks the frames of a segment in order with positional reads, checking each one by the
 * format alone: a length the format can hold that stays inside {@code end}, a matching CRC32C
 * and a well-formed payload. Stops at the end of the data or at the first frame that fails, and
 * says why as a {@link DamageCause}. Positions are the caller's to check ({@link SegmentWalk}).
 * Safe to use while the writer appends beyond {@code end}.
 */
final class SegmentScanner {

  private static final int CHUNK = 64 * 1024;

  private final FileChannel channel;
  private final long end;
  private byte[] buffer = new byte[CHUNK];
  private long bufferStart;
  private int bufferLength;
  private long offset;

  /** Set by {@link #next()}: the current record. */
  long recordOffset;
  byte[] payload;
  int payloadOffset;
  int payloadLength;
  long position;
  /** Why scanning stopped before {@code end}, at {@link #offset()}; null at a clean end. */
  DamageCause stop;
  /** With {@link DamageCause#TORN_TAIL} or {@link DamageCause#BAD_LENGTH}: the payload length announced. */
  long announced;

  SegmentScanner(FileChannel channel, long start, long end) {
    this.channel = channel;
    this.offset = start;
    this.end = end;
  }

  /** The offset just past the last valid record read. */
  long offset() {
    return offset;
  }

  /** Moves to the next valid record; false at the end or at an invalid one ({@link #stop}). */
  boolean next() throws IOException {
    if (offset >= end) {
      return false;
    }
    if (end - offset < RecordFormat.FRAME_BYTES) {
      return stopped(DamageCause.TORN_TAIL);
    }
    ensure(offset, RecordFormat.FRAME_BYTES);
    ByteBuffer frame = ByteBuffer.wrap(buffer, (int) (offset - bufferStart), RecordFormat.FRAME_BYTES);
    int length = frame.getInt();
    int crc = frame.getInt();
    announced = Integer.toUnsignedLong(length);
    // A u32 beyond the int range is negative here: no Java array, so no writer, could hold it.
    if (length < RecordFormat.MIN_PAYLOAD) {
      return stopped(DamageCause.BAD_LENGTH);
    }
    if (offset + RecordFormat.FRAME_BYTES + length > end) {
      return stopped(DamageCause.TORN_TAIL);
    }
    ensure(offset + RecordFormat.FRAME_BYTES, length);
    int at = (int) (offset + RecordFormat.FRAME_BYTES - bufferStart);
    if (!RecordFormat.crcMatches(buffer, at, length, crc)) {
      return stopped(DamageCause.BAD_CHECKSUM);
    }
    if (!RecordFormat.wellFormed(buffer, at, length)) {
      return stopped(DamageCause.MALFORMED_RECORD);
    }
    recordOffset = offset;
    payload = buffer;
    payloadOffset = at;
    payloadLength = length;
    position = RecordFormat.position(buffer, at);
    offset += RecordFormat.FRAME_BYTES + length;
    return true;
  }

  private boolean stopped(DamageCause cause) {
    stop = cause;
    return false;
  }

  /** The damage scanning stopped at, where {@code expected} was the position due next; null at a clean end. */
  JournalProblem problem(String segment, long expected, boolean newestSegment) {
    return stop == null ? null
        : JournalProblem.inRecord(stop, segment, offset, expected, announced, end - offset, newestSegment);
  }

  /**
   * Looks, byte by byte after {@code from}, for a frame that checks out as a record for a
   * position at or after {@code minPosition}: what proves that damage at {@code from} is no torn
   * tail, since a crash tears only the end of what was written. On success {@link #recordOffset}
   * and {@link #position} say where and which. A few header fields are checked before any CRC,
   * so a long damaged tail costs one pass over its bytes.
   */
  boolean findRecordAfter(long from, long minPosition) throws IOException {
    int header = RecordFormat.FRAME_BYTES + RecordFormat.MIN_PAYLOAD;
    long maxPosition = minPosition + (end - from) / header;
    for (long at = from + 1; at + header <= end; at++) {
      ensure(at, header);
      int i = (int) (at - bufferStart);
      ByteBuffer frame = ByteBuffer.wrap(buffer);
      int length = frame.getInt(i);
      long stored = frame.getLong(i + RecordFormat.FRAME_BYTES);
      if (length < RecordFormat.MIN_PAYLOAD || at + RecordFormat.FRAME_BYTES + length > end
          || stored < minPosition || stored > maxPosition) {
        continue;
      }
      SegmentScanner probe = new SegmentScanner(channel, at, end);
      if (probe.next() && probe.position >= minPosition) {
        recordOffset = at;
        position = probe.position;
        return true;
      }
    }
    return false;
  }

  /** Makes {@code [from, from + length)} of the file available in the buffer. */
  private void ensure(long from, int length) throws IOException {
    if (from >= bufferStart && from + length <= bufferStart + bufferLength) {
      return;
    }
    if (length > buffer.length) {
      buffer = new byte[length];
    }
    bufferStart = from;
    int wanted = (int) Math.min(buffer.length, end - from);
    ByteBuffer target = ByteBuffer.wrap(buffer, 0, wanted);
    while (target.hasRemaining()) {
      int read = channel.read(target, from + target.position());
      if (read < 0) {
        break;
      }
    }
    bufferLength = target.position();
    if (bufferLength < length) {
      throw new IOException("segment ended at " + (from + bufferLength) + " while reading up to " + (from + length));
    }
  }
}
