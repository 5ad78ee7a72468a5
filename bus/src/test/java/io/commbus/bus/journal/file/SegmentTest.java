package io.commbus.bus.journal.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One segment's files: what a failed write takes back, and the marker sealing leaves. */
class SegmentTest {

  @TempDir
  Path directory;

  @Test
  void truncatingTakesTheIndexEntriesBackOutOfTheFileToo() throws Exception {
    Segment segment = Segment.create(directory, 1);
    segment.openIndexForAppend(Segment.HEADER_BYTES);
    segment.indexRecord(1, 16, 100);
    segment.indexRecord(3, 200, 100);
    segment.indexRecord(6, 400, 100);

    segment.truncate(200);   // the write of positions 3.. failed

    assertEquals(1, segment.index.size());
    assertEquals(IndexFile.ENTRY_BYTES, Files.size(segment.indexFile));
    segment.indexRecord(3, 220, 100);
    segment.close();
    IndexFile index = IndexFile.read(segment.indexFile);
    assertEquals(2, index.offsets.length);
    assertEquals(220, index.offsets[1]);
    assertEquals(-1, index.outOfOrder);
  }

  @Test
  void sealingAppendsAMarkerForWhatTheSegmentHolds() throws Exception {
    Segment segment = Segment.create(directory, 1);
    segment.openIndexForAppend(Segment.HEADER_BYTES);
    segment.indexRecord(1, 16, 100);
    segment.size = 300;
    segment.lastPosition = 4;
    segment.lastRecordOffset = 250;

    segment.seal();
    segment.close();

    IndexFile index = IndexFile.read(segment.indexFile);
    assertNotNull(index.end, "a marker whose CRC matches");
    assertEquals(new SegmentEnd(300, 4, 250), index.end);
    assertEquals(1, index.offsets.length);
    assertTrue(index.fits(1, 4, 300));
    assertFalse(index.fits(2, 4, 300), "an entry before the segment's base");
  }
}
