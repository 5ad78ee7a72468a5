package io.commbus.bus.journal.file;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The end-of-segment marker's bytes: found after the index entries, and only if whole and unchanged. */
class SegmentEndTest {

  private static byte[] indexWith(SegmentEnd end, long... entries) {
    ByteBuffer entryBytes = ByteBuffer.allocate(entries.length * 8);
    for (long value : entries) {
      entryBytes.putLong(value);
    }
    entryBytes.flip();
    ByteBuffer marker = end.encode(entryBytes);
    ByteBuffer file = ByteBuffer.allocate(entryBytes.remaining() + marker.remaining());
    return file.put(entryBytes).put(marker).array();
  }

  @Test
  void aMarkerReadsBackAfterItsEntries() {
    SegmentEnd end = new SegmentEnd(4125, 127, 4080);
    byte[] file = indexWith(end, 65, 16, 80, 520);

    assertEquals(2 * IndexFile.ENTRY_BYTES + SegmentEnd.BYTES, file.length);
    assertTrue(SegmentEnd.present(file));
    assertEquals(end, SegmentEnd.read(file));
    assertEquals(end, SegmentEnd.read(indexWith(end)), "a segment with no index entries");
  }

  @Test
  void entriesAloneHaveNoMarker() {
    byte[] entries = ByteBuffer.allocate(48).putLong(65).putLong(16).array();
    assertFalse(SegmentEnd.present(entries));
    assertNull(SegmentEnd.read(entries));
    assertNull(SegmentEnd.read(new byte[0]));
  }

  @Test
  void aChangedEntryOrMarkerFailsItsCrc() {
    byte[] file = indexWith(new SegmentEnd(4125, 127, 4080), 65, 16);
    byte[] entry = file.clone();
    entry[15] ^= 1;
    assertTrue(SegmentEnd.present(entry));
    assertNull(SegmentEnd.read(entry), "the CRC covers the entries");
    byte[] length = file.clone();
    length[IndexFile.ENTRY_BYTES + 15] ^= 1;
    assertNull(SegmentEnd.read(length), "and the marker's own fields");
  }
}
