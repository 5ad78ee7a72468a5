package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closed segments and their end-of-segment markers: opening trusts a segment's index without
 * reading its records only while the marker agrees with the file, and walks it otherwise.
 */
@Timeout(60)
class SegmentEndMarkerTest {

  private static final int COUNT = 300;

  @TempDir
  Path directory;

  private Vertx vertx;
  private FileJournal journal;

  private FileJournalOptions options() {
    return new FileJournalOptions(directory).setSegmentBytes(4096).setIndexIntervalBytes(512);
  }

  @BeforeEach
  void writeJournal() throws Exception {
    vertx = Vertx.vertx();
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    assertTrue(segments().size() >= 4, "want several segments, got " + segments());
  }

  @AfterEach
  void stop() throws Exception {
    if (journal != null) {
      journal.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private List<Path> segments() throws IOException {
    return JournalFiles.segments(directory);
  }

  private List<Path> closedSegments() throws IOException {
    List<Path> all = segments();
    return all.subList(0, all.size() - 1);
  }

  private RecoveryReport reopen() throws Exception {
    if (journal != null) {
      journal.close().await(30, TimeUnit.SECONDS);
    }
    journal = FileJournal.open(vertx, options()).await(30, TimeUnit.SECONDS);
    return journal.recovery();
  }

  private List<JournalRecord> read(long from, int max) throws Exception {
    return journal.read(from, max).await(30, TimeUnit.SECONDS);
  }

  /** Every record from 1 to {@code last} is there, in order, with the body it was appended with. */
  private void assertAllThere(long last) throws Exception {
    List<JournalRecord> records = read(1, 10_000);
    assertEquals(last, records.size());
    for (JournalRecord record : records) {
      assertEquals(record.position(), ((JsonObject) record.event().body()).getLong("n"));
    }
  }

  private long append() throws Exception {
    JournalEvent event = new JournalEvent(UUID.randomUUID().toString(), "Tick", 1, Map.of(),
        new JsonObject().put("n", COUNT + 1));
    return journal.append(event).await(30, TimeUnit.SECONDS).position();
  }

  @Test
  void aClosedSegmentsMarkerThatAgreesIsTrustedWithoutReadingItsRecords() throws Exception {
    for (Path closed : closedSegments()) {
      assertEquals(SegmentEnd.BYTES % IndexFile.ENTRY_BYTES, Files.size(JournalFiles.indexOf(closed))
          % IndexFile.ENTRY_BYTES, closed + " has an end marker");
    }
    Path newest = segments().get(segments().size() - 1);
    assertEquals(0, Files.size(JournalFiles.indexOf(newest)) % IndexFile.ENTRY_BYTES, "the active one has none");

    RecoveryReport report = reopen();

    assertTrue(report.clean(), report.toString());
    assertEquals(0, report.walkedSegments(), "every closed segment was taken as its marker says");
    assertAllThere(COUNT);
    assertEquals(COUNT + 1, append());
    assertTrue(new JournalInspector(directory).verify().clean(), "verify finds the markers true");
  }

  @Test
  void aClosedSegmentAppendedToBehindTheJournalsBackIsWalkedAndLosesNothing() throws Exception {
    Path closed = closedSegments().get(1);
    long end = Files.size(closed);
    long nextBase = Segment.baseOf(segments().get(2));
    JournalFiles.appendBytes(closed, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

    RecoveryReport report = reopen();

    assertEquals(1, report.walkedSegments(), "the marker disagreed with the file, so the segment was read");
    assertTrue(report.cut().isEmpty(), "an older segment is never cut: " + report);
    assertEquals(1, report.remaining().size(), report.toString());
    JournalProblem extra = report.remaining().get(0);
    assertEquals(closed.getFileName().toString(), extra.file());
    assertEquals(end, extra.offset());
    assertEquals(nextBase, extra.position());
    assertEquals(DamageCause.BAD_LENGTH, extra.cause());
    assertEquals(end + 10, Files.size(closed), "the bytes are left for a person to look at");
    assertAllThere(COUNT);
    assertEquals(COUNT + 1, append());

    List<DamageCause> found = new JournalInspector(directory).verify().problems().stream()
        .map(JournalProblem::cause).collect(Collectors.toList());
    assertEquals(List.of(DamageCause.BAD_LENGTH, DamageCause.END_MARKER_MISMATCH), found);
  }

  @Test
  void aClosedSegmentCutBehindTheJournalsBackRefusesTheOpeningAndChangesNothing() throws Exception {
    Path closed = closedSegments().get(1);
    List<Long> offsets = JournalFiles.recordOffsets(closed);
    long lastRecord = offsets.get(offsets.size() - 1);
    long nextBase = Segment.baseOf(segments().get(2));
    JournalFiles.cutBy(closed, 5);   // its last record loses its end: position nextBase - 1 is gone
    var before = JournalFiles.snapshot(directory);

    CommBusException refused = assertThrows(CommBusException.class,
        () -> FileJournal.open(vertx, options()).await(30, TimeUnit.SECONDS));

    assertEquals(ErrorCode.STORAGE, refused.code());
    assertTrue(refused.getMessage().contains(closed.getFileName() + " offset " + lastRecord + ": a torn record at"
        + " position " + (nextBase - 1)), refused.getMessage());
    assertTrue(refused.getMessage().contains("Nothing was changed on disk"), refused.getMessage());
    JournalFiles.assertUnchanged(directory, before);
    JournalProblem reported = new JournalInspector(directory).verify().problems().get(0);
    assertEquals(DamageCause.TORN_TAIL, reported.cause());
    assertTrue(reported.refusesOpening(), "verify says what opening does: " + reported);
  }

  @Test
  void journalsWrittenWithoutMarkersOpenByWalkingEachClosedSegmentAndGetMarkers() throws Exception {
    for (Path closed : closedSegments()) {
      // What the journal wrote before markers existed: the entries alone.
      try (RandomAccessFile index = new RandomAccessFile(JournalFiles.indexOf(closed).toFile(), "rw")) {
        index.setLength(index.length() - SegmentEnd.BYTES);
      }
    }
    Files.delete(JournalFiles.indexOf(closedSegments().get(0)));   // and an index lost altogether

    RecoveryReport first = reopen();

    assertTrue(first.clean(), first.toString());
    assertEquals(closedSegments().size(), first.walkedSegments());
    assertAllThere(COUNT);
    for (Path closed : closedSegments()) {
      assertTrue(SegmentEnd.present(Files.readAllBytes(JournalFiles.indexOf(closed))), closed + " was given a marker");
    }

    RecoveryReport second = reopen();

    assertTrue(second.clean(), second.toString());
    assertEquals(0, second.walkedSegments(), "the markers written by the first opening are trusted");
    assertAllThere(COUNT);
    assertTrue(new JournalInspector(directory).verify().clean());
  }

  @Test
  void anIndexChangedAfterItsMarkerWasWrittenIsRebuiltNotTrusted() throws Exception {
    Path closed = closedSegments().get(0);
    try (RandomAccessFile index = new RandomAccessFile(JournalFiles.indexOf(closed).toFile(), "rw")) {
      index.seek(24);
      index.writeLong(index.readLong() + 1);   // the second entry now points into a record
    }

    RecoveryReport report = reopen();

    assertTrue(report.clean(), report.toString());
    assertEquals(1, report.walkedSegments());
    // Reads that seek by the index land on record starts.
    for (long from = 1; from < Segment.baseOf(segments().get(1)); from += 7) {
      assertEquals(from, read(from, 1).get(0).position());
    }
    assertTrue(new JournalInspector(directory).verify().clean(), "the index was rewritten whole");
  }
}
