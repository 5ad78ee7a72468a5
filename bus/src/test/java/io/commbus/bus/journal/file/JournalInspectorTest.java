package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inspector on real journals written by {@link FileJournal}, clean and then damaged on disk. */
@Timeout(60)
class JournalInspectorTest {

  private static final int COUNT = 300;
  private static final long T0 = 1_700_000_000_000L;

  @TempDir
  Path directory;

  private Vertx vertx;
  private final List<JournalEvent> appended = new ArrayList<>();

  @BeforeEach
  void writeJournal() throws Exception {
    vertx = Vertx.vertx();
    FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(directory).setSegmentBytes(4096)
        .setIndexIntervalBytes(512)).await(30, TimeUnit.SECONDS);
    for (int n = 1; n <= COUNT; n++) {
      appended.add(event(n));
    }
    // Appends are queued in call order, so event n gets position n.
    Future.all(appended.stream().map(journal::append).collect(Collectors.toList())).await(30, TimeUnit.SECONDS);
    journal.close().await(30, TimeUnit.SECONDS);
    assertTrue(segments().size() >= 4, "want several segments, got " + segments());
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** Orders every third event, ticks otherwise; one binary body and one without a body. */
  private static JournalEvent event(int n) {
    Object body = n == 7 ? Buffer.buffer(new byte[] {1, 2, 3}) : n == 8 ? null : new JsonObject().put("n", n);
    // Timestamps run backwards for the first few, as clocks of different publishers may.
    long timestamp = n <= 3 ? T0 + 10_000 - n : T0 + n;
    return new JournalEvent("id-" + n, n % 3 == 0 ? "Order" : "Tick", timestamp, Map.of("tenant", "t" + n % 2), body);
  }

  private JournalInspector inspector() {
    return new JournalInspector(directory);
  }

  private List<Path> segments() throws IOException {
    return inspector().segmentFiles();
  }

  // ------------------------------------------------------------------ clean journal

  @Test
  void statsMatchWhatWasAppended() throws IOException {
    JournalStats stats = inspector().stats();

    assertEquals(segments().size(), stats.segments());
    long bytes = 0;
    for (Path segment : segments()) {
      bytes += Files.size(segment);
    }
    assertEquals(bytes, stats.bytes());
    assertEquals(COUNT, stats.records());
    assertEquals(1, stats.firstPosition());
    assertEquals(COUNT, stats.lastPosition());
    assertEquals(List.of("Tick", "Order"), new ArrayList<>(stats.types().keySet()), "most frequent first");
    assertEquals(200L, stats.types().get("Tick"));
    assertEquals(100L, stats.types().get("Order"));
    assertEquals(Instant.ofEpochMilli(T0 + 4), stats.oldest());
    assertEquals(Instant.ofEpochMilli(T0 + 10_000 - 1), stats.newest());
    assertTrue(stats.problems().isEmpty(), stats.problems().toString());
  }

  @Test
  void tailHandsBackEveryRecordAsAppendedFromAPosition() throws IOException {
    List<JournalRecord> records = new ArrayList<>();
    assertTrue(inspector().tail(5, Set.of(), 0, records::add).isEmpty());

    assertEquals(COUNT - 4, records.size());
    for (JournalRecord record : records) {
      JournalEvent expected = appended.get((int) record.position() - 1);
      JournalEvent actual = record.event();
      assertEquals(expected.id(), actual.id());
      assertEquals(expected.type(), actual.type());
      assertEquals(expected.timestampMillis(), actual.timestampMillis());
      assertEquals(expected.headers(), actual.headers());
      if (expected.body() instanceof Buffer) {
        assertArrayEquals(((Buffer) expected.body()).getBytes(), ((Buffer) actual.body()).getBytes());
      } else {
        assertEquals(expected.body(), actual.body());
      }
    }
    assertEquals(5, records.get(0).position());
    assertEquals(COUNT, records.get(records.size() - 1).position());
  }

  @Test
  void tailFiltersByTypeAndStopsAtTheLimit() throws IOException {
    List<Long> positions = new ArrayList<>();
    inspector().tail(100, Set.of("Order"), 3, r -> positions.add(r.position()));

    assertEquals(List.of(102L, 105L, 108L), positions);
  }

  @Test
  void lastHandsBackTheNewestRecordsInOrder() throws IOException {
    List<Long> positions = new ArrayList<>();
    inspector().last(5, Set.of(), r -> positions.add(r.position()));
    assertEquals(List.of(296L, 297L, 298L, 299L, 300L), positions);

    positions.clear();
    // More Orders than the newest segment holds: reading has to reach back into older segments.
    inspector().last(40, Set.of("Order"), r -> positions.add(r.position()));
    assertEquals(40, positions.size());
    assertEquals(183L, positions.get(0));
    assertEquals(300L, positions.get(39));
  }

  @Test
  void verifyFindsACleanJournalClean() throws IOException {
    VerifyReport report = inspector().verify();

    assertTrue(report.clean(), report.toString());
    assertEquals(COUNT, report.validRecords());
    assertEquals(1, report.firstPosition());
    assertEquals(COUNT, report.lastPosition());
    assertTrue(Files.size(indexOf(segments().get(0))) >= 32, "the index under test has entries");
  }

  // ------------------------------------------------------------------ damaged journal

  @Test
  void verifyLocatesAFlippedByteInTheMiddleOfAnOlderSegment() throws IOException {
    Path segment = segments().get(1);
    List<Long> offsets = recordOffsets(segment);
    int k = offsets.size() / 2;
    long recordOffset = offsets.get(k);
    long position = Segment.baseOf(segment) + k;
    flipByte(segment, recordOffset + RecordFormat.FRAME_BYTES + 20);
    Map<String, byte[]> before = snapshot();

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    JournalProblem problem = report.problems().get(0);
    assertEquals(segment.getFileName().toString(), problem.file());
    assertEquals(recordOffset, problem.offset());
    assertEquals(position, problem.position());
    assertTrue(problem.description().startsWith("a CRC mismatch at position " + position), problem.toString());
    assertEquals(segment.getFileName() + " offset " + recordOffset + ": a CRC mismatch at position " + position
        + "; opening the journal for writing refuses it and changes nothing", problem.toString());
    assertTrue(problem.refusesOpening(), "positions are missing before the next segment");
    long lost = offsets.size() - k;
    assertEquals(COUNT - lost, report.validRecords());
    assertUnchanged(before);
  }

  @Test
  void aDamagedRecordIsNeverHandedOut() throws IOException {
    Path segment = segments().get(1);
    List<Long> offsets = recordOffsets(segment);
    int k = offsets.size() / 2;
    long damaged = Segment.baseOf(segment) + k;
    long nextSegment = Segment.baseOf(segments().get(2));
    flipByte(segment, offsets.get(k) + RecordFormat.FRAME_BYTES + 20);

    List<Long> positions = new ArrayList<>();
    List<JournalProblem> problems = inspector().tail(1, Set.of(), 0, r -> positions.add(r.position()));
    JournalStats stats = inspector().stats();

    assertEquals(1, problems.size(), problems.toString());
    assertFalse(positions.stream().anyMatch(p -> p >= damaged && p < nextSegment), "handed out damaged positions");
    assertEquals(COUNT - (nextSegment - damaged), positions.size());
    assertEquals(positions.size(), stats.records());
    assertEquals(1, stats.problems().size());
  }

  @Test
  void verifyReportsATornRecordAtTheEndOfTheLastSegment() throws IOException {
    Path last = segments().get(segments().size() - 1);
    List<Long> offsets = recordOffsets(last);
    long lastOffset = offsets.get(offsets.size() - 1);
    try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
      file.setLength(file.length() - 5);   // the last record loses its end, as in a crash mid-write
    }
    Map<String, byte[]> before = snapshot();

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    JournalProblem problem = report.problems().get(0);
    assertEquals(last.getFileName().toString(), problem.file());
    assertEquals(lastOffset, problem.offset());
    assertEquals(COUNT, problem.position());
    assertTrue(problem.description().startsWith("a torn record"), problem.toString());
    assertTrue(problem.description().contains("opening the journal for writing cuts these last"), problem.toString());
    assertEquals(COUNT - 1, report.validRecords());
    assertEquals(COUNT - 1, report.lastPosition());
    assertUnchanged(before);
  }

  @Test
  void verifyReportsARecordWhoseCrcMatchesButWhosePositionIsOutOfPlace() throws IOException {
    Path segment = segments().get(1);
    List<Long> offsets = recordOffsets(segment);
    int k = offsets.size() / 2;
    long recordOffset = offsets.get(k);
    long expected = Segment.baseOf(segment) + k;
    JournalFiles.rewritePayload(segment, recordOffset, payload -> payload.putLong(0, expected + 1000));

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    JournalProblem problem = report.problems().get(0);
    assertEquals(recordOffset, problem.offset());
    assertEquals(expected, problem.position());
    assertTrue(problem.description().startsWith("a record for position " + (expected + 1000) + " where " + expected
        + " was expected"), problem.toString());
  }

  @Test
  void verifyReportsATornRecordHeaderAfterTheLastRecord() throws IOException {
    Path last = segments().get(segments().size() - 1);
    long size = Files.size(last);
    Files.write(last, new byte[] {0, 0, 1}, StandardOpenOption.APPEND);

    VerifyReport report = inspector().verify();

    assertEquals(List.of(last.getFileName() + " offset " + size + ": a torn record header at position " + (COUNT + 1)
        + ": only 3 bytes left; opening the journal for writing cuts these last 3 bytes"),
        report.problems().stream().map(JournalProblem::toString).collect(Collectors.toList()));
    assertEquals(COUNT, report.validRecords(), "every record before the torn header is valid");
  }

  @Test
  void verifyReportsAMissingSegmentAsAGap() throws IOException {
    Path gone = segments().get(2);
    Path before = segments().get(1);
    long from = Segment.baseOf(gone);
    long to = Segment.baseOf(segments().get(3)) - 1;
    Files.delete(gone);
    Files.delete(indexOf(gone));

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    JournalProblem problem = report.problems().get(0);
    assertEquals(before.getFileName().toString(), problem.file());
    assertEquals(Files.size(before), problem.offset());
    assertEquals(from, problem.position());
    assertTrue(problem.description().endsWith("positions " + from + ".." + to + " are missing; opening the journal"
        + " for writing refuses it and changes nothing"), problem.toString());
    assertTrue(problem.refusesOpening());
  }

  @Test
  void verifyReportsABadSegmentHeader() throws IOException {
    Path segment = segments().get(1);
    flipByte(segment, 0);

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    assertEquals(segment.getFileName() + " offset 0: bad segment header: the file is not a journal segment for "
        + "position " + Segment.baseOf(segment), report.problems().get(0).toString());
  }

  @Test
  void verifyReportsAnIndexEntryThatPointsIntoARecord() throws IOException {
    Path index = indexOf(segments().get(0));
    long entryOffset;
    long position;
    try (RandomAccessFile file = new RandomAccessFile(index.toFile(), "rw")) {
      file.seek(16);
      position = file.readLong();
      entryOffset = file.readLong();
      file.seek(24);
      file.writeLong(entryOffset + 1);
    }

    VerifyReport report = inspector().verify();

    assertEquals(1, report.problems().size(), report.toString());
    JournalProblem problem = report.problems().get(0);
    assertEquals(index.getFileName().toString(), problem.file());
    assertEquals(16, problem.offset());
    assertEquals(position, problem.position());
    assertTrue(problem.description().endsWith("offset " + (entryOffset + 1) + ", where no record starts"),
        problem.toString());
    assertEquals(COUNT, report.validRecords(), "a bad index loses no records");
  }

  // ------------------------------------------------------------------ helpers

  private static Path indexOf(Path segment) {
    return JournalFiles.indexOf(segment);
  }

  private static List<Long> recordOffsets(Path segment) throws IOException {
    return JournalFiles.recordOffsets(segment);
  }

  private static void flipByte(Path file, long offset) throws IOException {
    JournalFiles.flipByte(file, offset);
  }

  private Map<String, byte[]> snapshot() throws IOException {
    return JournalFiles.snapshot(directory);
  }

  private void assertUnchanged(Map<String, byte[]> before) throws IOException {
    JournalFiles.assertUnchanged(directory, before);
  }
}
