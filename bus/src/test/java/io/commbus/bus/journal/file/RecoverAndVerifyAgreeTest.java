package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opening a journal and verifying it walk the segments the same way, so they agree on what is
 * valid: whatever verify reports in the newest segment is exactly what opening cuts, and
 * nothing else.
 */
@Timeout(60)
class RecoverAndVerifyAgreeTest {

  private static final int COUNT = 120;

  @TempDir
  Path directory;

  private Vertx vertx;

  private FileJournalOptions options() {
    return new FileJournalOptions(directory).setSegmentBytes(4096);
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private Path newestSegment() throws Exception {
    List<Path> segments = JournalFiles.segments(directory);
    assertTrue(segments.size() > 1, "want several segments, got " + segments);
    return segments.get(segments.size() - 1);
  }

  private List<Long> segmentSizes() throws Exception {
    List<Long> sizes = new java.util.ArrayList<>();
    for (Path segment : JournalFiles.segments(directory)) {
      sizes.add(Files.size(segment));
    }
    return sizes;
  }

  private long lastRecordOffset(Path segment) throws Exception {
    List<Long> offsets = JournalFiles.recordOffsets(segment);
    return offsets.get(offsets.size() - 1);
  }

  /** Verify finds one problem of {@code cause} at the end of the newest segment; opening cuts exactly that. */
  private void assertOpeningCutsWhatVerifyReports(DamageCause cause) throws Exception {
    var before = JournalFiles.snapshot(directory);
    VerifyReport verified = new JournalInspector(directory).verify();
    JournalFiles.assertUnchanged(directory, before);
    assertEquals(1, verified.problems().size(), verified.toString());
    JournalProblem reported = verified.problems().get(0);
    assertEquals(cause, reported.cause(), reported.toString());
    assertTrue(reported.description().contains("opening the journal for writing cuts these last "
        + reported.unreadableBytes() + " bytes"), reported.toString());

    FileJournal journal = FileJournal.open(vertx, options()).await(30, TimeUnit.SECONDS);
    RecoveryReport recovered = journal.recovery();
    List<JournalRecord> kept = journal.read(1, 10_000).await(30, TimeUnit.SECONDS);
    journal.close().await(30, TimeUnit.SECONDS);

    assertEquals(1, recovered.cut().size(), recovered.toString());
    JournalProblem cut = recovered.cut().get(0);
    assertEquals(reported.file(), cut.file());
    assertEquals(reported.offset(), cut.offset());
    assertEquals(reported.position(), cut.position());
    assertEquals(reported.cause(), cut.cause());
    assertTrue(recovered.remaining().isEmpty(), recovered.toString());
    assertEquals(reported.unreadableBytes(), recovered.truncatedBytes());
    assertEquals(verified.lastPosition(), recovered.lastPosition());
    assertEquals(verified.validRecords(), kept.size());
    assertTrue(new JournalInspector(directory).verify().clean(), "after the cut, verify finds nothing");
  }

  @Test
  void aTornLastRecord() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    JournalFiles.cutBy(newestSegment(), 5);
    assertOpeningCutsWhatVerifyReports(DamageCause.TORN_TAIL);
  }

  @Test
  void aTornRecordHeader() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    JournalFiles.appendBytes(newestSegment(), new byte[] {0, 0, 1});
    assertOpeningCutsWhatVerifyReports(DamageCause.TORN_TAIL);
  }

  @Test
  void zerosAfterTheLastRecord() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    JournalFiles.appendBytes(newestSegment(), new byte[16]);
    assertOpeningCutsWhatVerifyReports(DamageCause.BAD_LENGTH);
  }

  @Test
  void aFlippedByte() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    JournalFiles.flipByte(newest, lastRecordOffset(newest) + RecordFormat.FRAME_BYTES + 20);
    assertOpeningCutsWhatVerifyReports(DamageCause.BAD_CHECKSUM);
  }

  @Test
  void aRecordWhoseCrcMatchesButWhoseFieldsDoNotFit() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    // The id's length now runs past the payload.
    JournalFiles.rewritePayload(newest, lastRecordOffset(newest), payload -> payload.putShort(17, (short) 0x7FFF));
    assertOpeningCutsWhatVerifyReports(DamageCause.MALFORMED_RECORD);
  }

  @Test
  void aRecordWhoseCrcMatchesButWhosePositionIsOutOfSequence() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    JournalFiles.rewritePayload(newest, lastRecordOffset(newest), payload -> payload.putLong(0, 1));
    assertOpeningCutsWhatVerifyReports(DamageCause.OUT_OF_SEQUENCE);
  }

  @Test
  void aNewSegmentTornBeforeItsHeader() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path torn = directory.resolve(String.format("%020d.seg", COUNT + 1));
    Files.write(torn, new byte[] {'C', 'B', 'J'});

    VerifyReport verified = new JournalInspector(directory).verify();
    assertEquals(1, verified.problems().size(), verified.toString());
    assertEquals(DamageCause.TORN_SEGMENT_HEADER, verified.problems().get(0).cause());
    assertTrue(verified.problems().get(0).description().endsWith("opening the journal for writing removes it"));
    assertTrue(Files.exists(torn), "verify removed nothing");

    FileJournal journal = FileJournal.open(vertx, options()).await(30, TimeUnit.SECONDS);
    RecoveryReport recovered = journal.recovery();
    journal.close().await(30, TimeUnit.SECONDS);
    assertEquals(1, recovered.cut().size(), recovered.toString());
    assertEquals(verified.problems().get(0).toString(), recovered.cut().get(0).toString());
    assertEquals(3, recovered.truncatedBytes());
    assertEquals(COUNT, recovered.lastPosition());
    assertFalse(Files.exists(torn));
  }

  @Test
  void recordsLargerThanTodaysMaxRecordBytesAreDataNotDamage() throws Exception {
    // Two 100 KiB events among small ones under a 1 MiB limit, reopened under 64 KiB.
    List<JournalEvent> events = new java.util.ArrayList<>(JournalFiles.ticks(10));
    events.add(3, new JournalEvent("large-1", "Blob", 1, Map.of(), Buffer.buffer(new byte[100 * 1024])));
    events.add(7, new JournalEvent("large-2", "Blob", 1, Map.of(), Buffer.buffer(new byte[100 * 1024])));
    JournalFiles.write(vertx, options().setMaxRecordBytes(1024 * 1024), events);
    FileJournalOptions smaller = options().setMaxRecordBytes(64 * 1024);
    List<Long> sizes = segmentSizes();

    assertTrue(new JournalInspector(directory).verify().clean());
    FileJournal journal = FileJournal.open(vertx, smaller).await(30, TimeUnit.SECONDS);
    try {
      assertTrue(journal.recovery().clean(), journal.recovery().toString());
      assertEquals(sizes, segmentSizes(), "nothing was cut");
      List<JournalRecord> records = journal.read(1, 100).await(30, TimeUnit.SECONDS);
      assertEquals(events.stream().map(JournalEvent::id).collect(java.util.stream.Collectors.toList()),
          records.stream().map(r -> r.event().id()).collect(java.util.stream.Collectors.toList()));
      assertEquals(100 * 1024, ((Buffer) records.get(3).event().body()).length());
      JournalEvent again = new JournalEvent("again", "Blob", 2, Map.of(), events.get(3).body());
      CommBusException refused = assertThrows(CommBusException.class,
          () -> journal.append(again).await(30, TimeUnit.SECONDS), "the bound still holds for new appends");
      assertEquals(ErrorCode.INVALID_MESSAGE, refused.code());
    } finally {
      journal.close().await(30, TimeUnit.SECONDS);
    }
  }

  /** Verify finds one problem of {@code cause} that refuses the opening; opening refuses it with the same words and changes nothing. */
  private void assertOpeningRefusesWhatVerifyReports(DamageCause cause) throws Exception {
    var before = JournalFiles.snapshot(directory);
    VerifyReport verified = new JournalInspector(directory).verify();
    assertEquals(1, verified.problems().size(), verified.toString());
    JournalProblem reported = verified.problems().get(0);
    assertEquals(cause, reported.cause(), reported.toString());
    assertTrue(reported.refusesOpening(), reported.toString());
    assertTrue(reported.description().endsWith("opening the journal for writing refuses it and changes nothing"),
        reported.toString());

    CommBusException refused = assertThrows(CommBusException.class,
        () -> FileJournal.open(vertx, options()).await(30, TimeUnit.SECONDS));

    assertEquals(ErrorCode.STORAGE, refused.code());
    assertTrue(refused.getMessage().contains(reported.toString()), refused.getMessage());
    JournalFiles.assertUnchanged(directory, before);
  }

  @Test
  void damageInAnOlderSegmentRefusesTheOpeningAndIsNeverCut() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path older = JournalFiles.segments(directory).get(0);
    Files.delete(JournalFiles.indexOf(older));   // no marker: opening reads the segment
    List<Long> offsets = JournalFiles.recordOffsets(older);
    JournalFiles.flipByte(older, offsets.get(offsets.size() / 2) + RecordFormat.FRAME_BYTES + 20);
    assertOpeningRefusesWhatVerifyReports(DamageCause.BAD_CHECKSUM);
  }

  @Test
  void aFlippedByteInTheNewestSegmentWithRecordsAfterItIsNoTornTail() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    List<Long> offsets = JournalFiles.recordOffsets(newest);
    assertTrue(offsets.size() >= 3, "want records after the damaged one: " + offsets);
    JournalFiles.flipByte(newest, offsets.get(1) + RecordFormat.FRAME_BYTES + 20);
    assertOpeningRefusesWhatVerifyReports(DamageCause.BAD_CHECKSUM);
    assertTrue(new JournalInspector(directory).verify().problems().get(0).description()
        .contains("followed by a valid record for position " + (Segment.baseOf(newest) + 2) + " at offset "
            + offsets.get(2)));
  }

  @Test
  void aLengthZeroedInTheNewestSegmentWithRecordsAfterItIsNoTornTail() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    List<Long> offsets = JournalFiles.recordOffsets(newest);
    JournalFiles.rewriteBytes(newest, offsets.get(0), new byte[4]);
    assertOpeningRefusesWhatVerifyReports(DamageCause.BAD_LENGTH);
  }

  @Test
  void aRecordMissingFromTheMiddleOfTheNewestSegmentIsNoTornTail() throws Exception {
    JournalFiles.write(vertx, options(), JournalFiles.ticks(COUNT));
    Path newest = newestSegment();
    List<Long> offsets = JournalFiles.recordOffsets(newest);
    JournalFiles.removeBytes(newest, offsets.get(0), offsets.get(1));
    assertOpeningRefusesWhatVerifyReports(DamageCause.OUT_OF_SEQUENCE);
  }
}
