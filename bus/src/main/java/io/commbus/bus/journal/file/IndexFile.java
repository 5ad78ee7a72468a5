package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A segment's {@code .idx} file as read from disk, the one parser of it: (u64 position,
 * u64 offset) entries, then, for a segment the writer closed, its {@link SegmentEnd} marker.
 * Reading keeps the entries up to the first one that does not climb through the segment, and
 * notes what else it met, without judging: opening decides whether to trust it, verify reports.
 */
final class IndexFile {

  static final int ENTRY_BYTES = 16;

  final long[] positions;
  final long[] offsets;
  /** Index of the first entry whose offset is not after the previous one's (or before any record); -1 if none. */
  final int outOfOrder;
  /** That entry's position and offset. */
  final long outOfOrderPosition;
  final long outOfOrderOffset;
  /** Bytes of a partial entry at the end of the entries, 0 if none, and where it starts. */
  final int tornBytes;
  final long tornAt;
  /** Where the marker starts in the file, or -1 if there is none. */
  final long markerOffset;
  /** The marker if present and its CRC matches; null otherwise. */
  final SegmentEnd end;

  private IndexFile(long[] positions, long[] offsets, int outOfOrder, int entryBytes, long markerOffset,
      SegmentEnd end) {
    this.positions = Arrays.copyOf(positions, outOfOrder < 0 ? positions.length : outOfOrder);
    this.offsets = Arrays.copyOf(offsets, this.positions.length);
    this.outOfOrder = outOfOrder;
    this.outOfOrderPosition = outOfOrder < 0 ? -1 : positions[outOfOrder];
    this.outOfOrderOffset = outOfOrder < 0 ? -1 : offsets[outOfOrder];
    this.tornBytes = entryBytes % ENTRY_BYTES;
    this.tornAt = entryBytes - tornBytes;
    this.markerOffset = markerOffset;
    this.end = end;
  }

  static IndexFile read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new IndexFile(new long[0], new long[0], -1, 0, -1, null);
    }
    boolean marked = SegmentEnd.present(bytes);
    int entryBytes = marked ? bytes.length - SegmentEnd.BYTES : bytes.length;
    int whole = entryBytes / ENTRY_BYTES;
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long[] positions = new long[whole];
    long[] offsets = new long[whole];
    int outOfOrder = -1;
    for (int count = 0; count < whole && outOfOrder < 0; count++) {
      positions[count] = in.getLong();
      offsets[count] = in.getLong();
      if (offsets[count] < Segment.HEADER_BYTES || count > 0 && offsets[count] <= offsets[count - 1]) {
        // Entries must climb through the file; past a bad one the rest cannot be matched to records.
        outOfOrder = count;
      }
    }
    return new IndexFile(positions, offsets, outOfOrder, entryBytes, marked ? entryBytes : -1,
        SegmentEnd.read(bytes));
  }

  /**
   * Whether every entry can be trusted for a segment of {@code length} bytes holding positions
   * {@code base} to {@code last}: all of them read, each inside the records and in range.
   */
  boolean fits(long base, long last, long length) {
    if (outOfOrder >= 0 || tornBytes > 0) {
      return false;
    }
    for (int i = 0; i < offsets.length; i++) {
      if (offsets[i] >= length || positions[i] < base || positions[i] > last) {
        return false;
      }
    }
    return true;
  }

  /** Writes {@code index} and the segment's end marker as the whole file, and forces it to disk. */
  static void write(Path file, SparseIndex index, SegmentEnd end) throws IOException {
    ByteBuffer entries = entries(index);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Segment.writeFully(channel, new ByteBuffer[] {entries.duplicate(), end.encode(entries)},
          entries.remaining() + SegmentEnd.BYTES);
      channel.force(true);
    }
  }

  /** The index's entries as the file holds them. */
  static ByteBuffer entries(SparseIndex index) {
    long[] snapshot = index.snapshot();
    ByteBuffer out = ByteBuffer.allocate(snapshot.length * 8);
    for (long value : snapshot) {
      out.putLong(value);
    }
    return out.flip();
  }
}
