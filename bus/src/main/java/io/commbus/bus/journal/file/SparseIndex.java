package io.commbus.bus.journal.file;

import java.util.Arrays;

/**
 * Every so many bytes, the position and file offset of a record in one segment, so a read can
 * seek close to a position instead of scanning the segment from its start. Appended by the
 * writer, searched by readers.
 */
final class SparseIndex {

  private long[] positions = new long[64];
  private long[] offsets = new long[64];
  private int count;

  synchronized void add(long position, long offset) {
    if (count == positions.length) {
      positions = Arrays.copyOf(positions, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    positions[count] = position;
    offsets[count] = offset;
    count++;
  }

  /** The offset of the last indexed record at or before {@code position}, or {@code fallback}. */
  synchronized long floorOffset(long position, long fallback) {
    int at = floor(position);
    return at < 0 ? fallback : offsets[at];
  }

  /** The position of the last indexed record at or before {@code position}, or {@code fallback}. */
  synchronized long floorPosition(long position, long fallback) {
    int at = floor(position);
    return at < 0 ? fallback : positions[at];
  }

  /** The entry at or before {@code position}; -1 if there is none. */
  private int floor(long position) {
    int found = Arrays.binarySearch(positions, 0, count, position);
    return found >= 0 ? found : -found - 2;
  }

  /** Forgets entries at or beyond {@code offset} (after a truncation). */
  synchronized void truncate(long offset) {
    while (count > 0 && offsets[count - 1] >= offset) {
      count--;
    }
  }

  synchronized long lastOffset() {
    return count == 0 ? -1 : offsets[count - 1];
  }

  /** Entries as (position, offset) pairs, flattened. */
  synchronized long[] snapshot() {
    long[] out = new long[count * 2];
    for (int i = 0; i < count; i++) {
      out[2 * i] = positions[i];
      out[2 * i + 1] = offsets[i];
    }
    return out;
  }

  synchronized int size() {
    return count;
  }
}
