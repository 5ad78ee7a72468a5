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
 * {@code .idx} as (u64 position, u64 offset) pairs; the index is a hint, rebuilt if damaged.
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
    final String reason;

    BadHeader(Path file, String reason) {
      super(file + " " + reason);
      this.reason = reason;
    }
  }

  /** Loads the index file if it is consistent with a segment of {@code validSize} bytes. */
  boolean loadIndex(long validSize) throws IOException {
    if (!Files.exists(indexFile)) {
      return false;
    }
    byte[] bytes = Files.readAllBytes(indexFile);
    if (bytes.length % 16 != 0) {
      return false;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long previous = -1;
    while (in.hasRemaining()) {
      long position = in.getLong();
      long offset = in.getLong();
      if (offset < HEADER_BYTES || offset >= validSize || position < basePosition || offset <= previous) {
        return false;
      }
      index.add(position, offset);
      previous = offset;
    }
    lastIndexedOffset = previous;
    return true;
  }

  /** Notes a record for the index if far enough from the last entry; writes the entry if open for it. */
  void indexRecord(long position, long offset, int intervalBytes) throws IOException {
    if (lastIndexedOffset >= 0 && offset - lastIndexedOffset < intervalBytes) {
      return;
    }
    index.add(position, offset);
    lastIndexedOffset = offset;
    if (indexChannel != null) {
      ByteBuffer entry = ByteBuffer.allocate(16).putLong(position).putLong(offset).flip();
      while (entry.hasRemaining()) {
        indexChannel.write(entry);
      }
    }
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
    long[] snapshot = index.snapshot();
    ByteBuffer out = ByteBuffer.allocate(snapshot.length * 8);
    for (long value : snapshot) {
      out.putLong(value);
    }
    out.flip();
    while (out.hasRemaining()) {
      indexChannel.write(out);
    }
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
