package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks the records of a segment in order with positional reads, checking each frame's length
 * and CRC. Stops at the end of the data or at the first record that is not valid, and says why.
 * Safe to use while the writer appends beyond {@code end}.
 */
final class SegmentScanner {

  private static final int CHUNK = 64 * 1024;

  private final FileChannel channel;
  private final long end;
  private final int maxRecordBytes;
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
  /** Why scanning stopped before {@code end}; null at a clean end. */
  String problem;

  SegmentScanner(FileChannel channel, long start, long end, int maxRecordBytes) {
    this.channel = channel;
    this.offset = start;
    this.end = end;
    this.maxRecordBytes = maxRecordBytes;
  }

  /** The offset just past the last valid record read. */
  long offset() {
    return offset;
  }

  /** Moves to the next valid record; false at the end or at an invalid record ({@link #problem}). */
  boolean next() throws IOException {
    if (offset >= end) {
      return false;
    }
    if (end - offset < RecordFormat.FRAME_BYTES) {
      problem = "a torn record header: only " + (end - offset) + " bytes left";
      return false;
    }
    ensure(offset, RecordFormat.FRAME_BYTES);
    ByteBuffer frame = ByteBuffer.wrap(buffer, (int) (offset - bufferStart), RecordFormat.FRAME_BYTES);
    int length = frame.getInt();
    int crc = frame.getInt();
    if (length < RecordFormat.MIN_PAYLOAD || length > maxRecordBytes - RecordFormat.FRAME_BYTES) {
      problem = "an implausible record length " + length;
      return false;
    }
    if (offset + RecordFormat.FRAME_BYTES + length > end) {
      problem = "a torn record: " + length + " bytes announced, " + (end - offset - RecordFormat.FRAME_BYTES)
          + " present";
      return false;
    }
    ensure(offset + RecordFormat.FRAME_BYTES, length);
    int at = (int) (offset + RecordFormat.FRAME_BYTES - bufferStart);
    if (!RecordFormat.crcMatches(buffer, at, length, crc)) {
      problem = "a CRC mismatch";
      return false;
    }
    recordOffset = offset;
    payload = buffer;
    payloadOffset = at;
    payloadLength = length;
    position = RecordFormat.position(buffer, at);
    offset += RecordFormat.FRAME_BYTES + length;
    return true;
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
