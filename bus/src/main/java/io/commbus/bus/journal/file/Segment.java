package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One segment file, {@code <first position, 20 digits>.seg}: a 16-byte header (magic
 * {@code CBJRNL01} and the first position), then records. Its sparse index lives beside it in
 * {@code .idx} ({@link IndexFile}): a hint, rebuilt if damaged, which ends in the segment's
 * {@link SegmentEnd} marker once the writer has closed the segment.
 */
final class Segment {

  static final byte[] MAGIC = "CBJRNL01".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = 16;
  static final String SUFFIX = ".seg";
  static final String INDEX_SUFFIX = ".idx";

  final Path file;
  final Path indexFile;
  final long basePosition;
  final FileChannel channel;
  final SparseIndex index = new SparseIndex();
  /** Bytes of valid records and header; only the writer changes it. */
  volatile long size;
  /** The last position stored here; basePosition - 1 when empty. */
  volatile long lastPosition;
  /** Where the last record starts; only the writer (and, before it starts, recovery) uses it. */
  long lastRecordOffset = -1;
  private FileChannel indexChannel;
  private long lastIndexedOffset = -1;

  private Segment(Path file, long basePosition, FileChannel channel) {
    this.file = file;
    this.indexFile = file.resolveSibling(file.getFileName().toString().replace(SUFFIX, INDEX_SUFFIX));
    this.basePosition = basePosition;
    this.channel = channel;
    this.lastPosition = basePosition - 1;
  }

  static Path fileFor(Path directory, long basePosition) {
    return directory.resolve(String.format("%020d", basePosition) + SUFFIX);
  }

  /** The first position a segment file name announces, or -1 if it is not a segment name. */
  static long baseOf(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(SUFFIX) || name.length() != 20 + SUFFIX.length()) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Creates a new, empty segment for records from {@code basePosition}. */
  static Segment create(Path directory, long basePosition) throws IOException {
    Path file = fileFor(directory, basePosition);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putLong(basePosition).flip();
    while (header.hasRemaining()) {
      channel.write(header, header.position());
    }
    channel.force(true);
    Segment segment = new Segment(file, basePosition, channel);
    segment.size = HEADER_BYTES;
    Files.deleteIfExists(segment.indexFile);
    return segment;
  }

  /** Opens an existing segment, checking its header; {@code size} and the index are set by the caller. */
  static Segment open(Path file, boolean writable) throws IOException {
    long base = baseOf(file);
    FileChannel channel = writable
        ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
        : FileChannel.open(file, StandardOpenOption.READ);
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    while (header.hasRemaining() && channel.read(header, header.position()) >= 0) {
      // read the whole header
    }
    header.flip();
    byte[] magic = new byte[MAGIC.length];
    if (header.remaining() < HEADER_BYTES) {
      channel.close();
      throw new BadHeader(file, "is too short to be a journal segment");
    }
    header.get(magic);
    long stored = header.getLong();
    if (!Arrays.equals(magic, MAGIC) || stored != base) {
      channel.close();
      throw new BadHeader(file, "is not a journal segment for position " + base);
    }
    return new Segment(file, base, channel);
  }

  /** The file is readable but its header is not a segment header: damage, not an I/O failure. */
  static final class BadHeader extends IOException {
    BadHeader(Path file, String reason) {
      super(file + " " + reason);
    }
  }

  /** Takes the entries of an index file that {@link IndexFile#fits} this segment. */
  void useIndex(IndexFile file) {
    for (int i = 0; i < file.offsets.length; i++) {
      index.add(file.positions[i], file.offsets[i]);
    }
    lastIndexedOffset = index.lastOffset();
  }

  /** The marker for what this segment holds now. */
  SegmentEnd end() {
    return new SegmentEnd(size, lastPosition, lastRecordOffset);
  }

  /** Notes a record for the index if far enough from the last entry; writes the entry if open for it. */
  void indexRecord(long position, long offset, int intervalBytes) throws IOException {
    if (indexInMemory(position, offset, intervalBytes) && indexChannel != null) {
      ByteBuffer entry = ByteBuffer.allocate(16).putLong(position).putLong(offset).flip();
      while (entry.hasRemaining()) {
        indexChannel.write(entry);
      }
    }
  }

  /** Notes a record for the index in memory if far enough from the last entry; says whether it did. */
  boolean indexInMemory(long position, long offset, int intervalBytes) {
    if (lastIndexedOffset >= 0 && offset - lastIndexedOffset < intervalBytes) {
      return false;
    }
    index.add(position, offset);
    lastIndexedOffset = offset;
    return true;
  }

  /** Rewrites the index file from memory and keeps it open for appends (the active segment). */
  void openIndexForAppend(long validSize) throws IOException {
    index.truncate(validSize);
    lastIndexedOffset = index.lastOffset();
    indexChannel = FileChannel.open(indexFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    rewriteIndex();
  }

  private void rewriteIndex() throws IOException {
    ByteBuffer entries = IndexFile.entries(index);
    writeFully(indexChannel, new ByteBuffer[] {entries}, entries.remaining());
  }

  /** Writes {@code bytes} bytes from {@code buffers} at the channel's position, in as many writes as it takes. */
  static void writeFully(FileChannel channel, ByteBuffer[] buffers, long bytes) throws IOException {
    long remaining = bytes;
    while (remaining > 0) {
      remaining -= channel.write(buffers);
    }
  }

  /**
   * Takes back everything from {@code validSize} on (a failed write): the records, and their
   * index entries in memory and in the file. Entries are appended in offset order, so the ones
   * kept are a prefix of the file, and cutting it needs no free space.
   */
  void truncate(long validSize) throws IOException {
    channel.truncate(validSize);
    channel.position(validSize);
    index.truncate(validSize);
    lastIndexedOffset = index.lastOffset();
    if (indexChannel != null) {
      long kept = (long) index.size() * IndexFile.ENTRY_BYTES;
      indexChannel.truncate(kept);
      indexChannel.position(kept);
    }
  }

  /**
   * Closes the segment for appends: forces its records, then appends its end marker to the
   * index file and forces that, so a marker never vouches for records that are not on disk.
   */
  void seal() throws IOException {
    channel.force(true);
    if (indexChannel != null) {
      ByteBuffer marker = end().encode(IndexFile.entries(index));
      writeFully(indexChannel, new ByteBuffer[] {marker}, marker.remaining());
      indexChannel.force(true);
    }
    closeIndex();
  }

  /** Stops appending index entries (the segment is no longer active). */
  void closeIndex() throws IOException {
    if (indexChannel != null) {
      indexChannel.close();
      indexChannel = null;
    }
  }

  void close() throws IOException {
    closeIndex();
    channel.close();
  }
}
