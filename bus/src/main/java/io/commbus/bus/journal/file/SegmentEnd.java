package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The end-of-segment marker: what the writer knew about a segment when it closed it, kept
 * after the entries of the segment's index file. Opening trusts a closed segment and its index
 * without reading its records only while the marker checks out and agrees with the file
 * ({@link #agreesWith}); any disagreement (a segment appended to or cut behind the journal's
 * back, a torn index) means a full walk. Layout, 40 bytes, big-endian:
 *
 * <pre>
 *   u64 magic "CBSEGEND"
 *   u64 segment length in bytes (header and records)
 *   u64 last position in the segment
 *   u64 offset of the last record
 *   u32 reserved, 0
 *   u32 CRC32C of the index file up to here: every entry, then the 36 bytes above
 * </pre>
 *
 * A file of entries alone is a multiple of 16 bytes; with the marker it is 8 more, so the two
 * cannot be confused, and indexes written before the marker existed simply have none.
 */
record SegmentEnd(long length, long lastPosition, long lastRecordOffset) {

  static final int BYTES = 40;
  private static final long MAGIC = ByteBuffer.wrap("CBSEGEND".getBytes(StandardCharsets.US_ASCII)).getLong();

  /** The marker for index file bytes {@code entries}, ready to append after them. */
  ByteBuffer encode(ByteBuffer entries) {
    ByteBuffer out = ByteBuffer.allocate(BYTES).putLong(MAGIC).putLong(length).putLong(lastPosition)
        .putLong(lastRecordOffset).putInt(0);
    CRC32C crc = new CRC32C();
    crc.update(entries.duplicate());
    crc.update(out.array(), 0, BYTES - 4);
    return out.putInt((int) crc.getValue()).flip();
  }

  /** Whether {@code bytes}, a whole index file, ends in something shaped like a marker. */
  static boolean present(byte[] bytes) {
    return bytes.length >= BYTES && (bytes.length - BYTES) % IndexFile.ENTRY_BYTES == 0
        && ByteBuffer.wrap(bytes, bytes.length - BYTES, 8).getLong() == MAGIC;
  }

  /** The marker at the end of {@code bytes}, or null if it is not {@link #present} or its CRC does not match. */
  static SegmentEnd read(byte[] bytes) {
    if (!present(bytes)) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    ByteBuffer in = ByteBuffer.wrap(bytes, bytes.length - BYTES + 8, BYTES - 8);
    SegmentEnd end = new SegmentEnd(in.getLong(), in.getLong(), in.getLong());
    in.getInt();
    return in.getInt() == (int) crc.getValue() ? end : null;
  }

  /**
   * The cheap check before trusting a closed segment: its file is as long as the marker says,
   * the last record's frame sits where the marker says and names its last position, and the
   * next segment starts right after it. Reads one frame and position, not the records.
   */
  boolean agreesWith(FileChannel channel, long base, long nextBase) throws IOException {
    if (channel.size() != length || lastPosition + 1 != nextBase || lastPosition < base
        || lastRecordOffset < Segment.HEADER_BYTES || lastRecordOffset > length - RecordFormat.FRAME_BYTES - 8) {
      return false;
    }
    ByteBuffer frame = ByteBuffer.allocate(RecordFormat.FRAME_BYTES + 8);
    while (frame.hasRemaining()) {
      if (channel.read(frame, lastRecordOffset + frame.position()) < 0) {
        return false;
      }
    }
    long payloadLength = Integer.toUnsignedLong(frame.getInt(0));
    return lastRecordOffset + RecordFormat.FRAME_BYTES + payloadLength == length && frame.getLong(8) == lastPosition;
  }
}
