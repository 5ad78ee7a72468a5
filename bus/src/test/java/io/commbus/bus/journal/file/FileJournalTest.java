package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.EventJournalContract;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal contract on the file journal, and what only a file journal has to get right. */
class FileJournalTest extends EventJournalContract {

  @TempDir
  Path directory;

  private FileJournalOptions options() {
    return new FileJournalOptions(directory);
  }

  @Override
  protected Future<EventJournal> open(boolean fresh) {
    return openWith(options());
  }

  private Future<EventJournal> openWith(FileJournalOptions options) {
    return FileJournal.open(vertx, options).map(j -> (EventJournal) j);
  }

  private FileJournal reopen(FileJournalOptions options) {
    if (journal != null) {
      await(journal.close());
    }
    FileJournal reopened = await(FileJournal.open(vertx, options));
    journal = reopened;
    return reopened;
  }

  private void appendMany(int count, String type) {
    List<Future<Appended>> appends = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      appends.add(journal.append(event(type, i)));
    }
    await(Future.all(appends));
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }

  private Path lastSegment() throws IOException {
    List<Path> files = segmentFiles();
    return files.get(files.size() - 1);
  }

  @Test
  void aTornTailIsCutOnOpenAndReported() throws IOException {
    appendMany(10, "Tick");
    await(journal.close());
    Path segment = lastSegment();
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size - 5);   // the last record loses its end, as in a crash mid-write
    }

    FileJournal recovered = reopen(options());

    RecoveryReport report = recovered.recovery();
    assertFalse(report.clean());
    assertEquals(9, report.lastPosition());
    assertTrue(report.problem().contains("torn"), report.problem());
    assertEquals(9, await(journal.read(1, 100)).size());
    assertEquals(10L, await(journal.append(event("Tick", 10))).position(), "positions continue densely");
  }

  @Test
  void aFlippedByteIsNeverReturnedAsValid() throws IOException {
    appendMany(10, "Tick");
    await(journal.close());
    Path segment = lastSegment();
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(size - 3);
      int b = file.read();
      file.seek(size - 3);
      file.write(b ^ 0xFF);
    }

    FileJournal recovered = reopen(options());

    assertTrue(recovered.recovery().problem().contains("CRC"), recovered.recovery().problem());
    List<JournalRecord> records = await(journal.read(1, 100));
    assertEquals(9, records.size());
    for (int i = 0; i < 9; i++) {
      assertEquals(i + 1, ((JsonObject) records.get(i).event().body()).getInteger("n"));
    }
  }

  @Test
  void aNewSegmentTornBeforeItsHeaderIsRemovedOnOpen() throws IOException {
    appendMany(5, "Tick");
    await(journal.close());
    Path torn = directory.resolve(String.format("%020d.seg", 6));
    Files.write(torn, new byte[] {'C', 'B', 'J'});   // a crash while the roll wrote the header

    FileJournal recovered = reopen(options());

    assertFalse(Files.exists(torn));
    assertFalse(recovered.recovery().clean());
    assertTrue(recovered.recovery().problem().contains("without a whole header"), recovered.recovery().problem());
    assertEquals(5L, await(journal.lastPosition()));
    assertEquals(6L, await(journal.append(event("Tick", 6))).position());
  }

  @Test
  void garbageAfterTheLastRecordIsCut() throws IOException {
    appendMany(3, "Tick");
    await(journal.close());
    Files.write(lastSegment(), new byte[] {0, 0, 0, 0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);

    FileJournal recovered = reopen(options());

    assertEquals(6, recovered.recovery().truncatedBytes());
    assertEquals(3L, await(journal.lastPosition()));
  }

  @Test
  void segmentsRollBySizeAndReadsCrossThem() throws IOException {
    FileJournalOptions small = options().setSegmentBytes(4096).setIndexIntervalBytes(512);
    reopen(small);
    appendMany(300, "Tick");

    assertTrue(segmentFiles().size() > 3, "expected several segments, got " + segmentFiles());
    List<JournalRecord> middle = await(journal.read(150, 100));
    assertEquals(150L, middle.get(0).position());
    assertEquals(249L, middle.get(99).position());
    for (JournalRecord record : middle) {
      assertEquals(record.position(), ((JsonObject) record.event().body()).getInteger("n").longValue());
    }

    reopen(small);
    assertEquals(300, await(journal.read(1, 1000)).size());
    assertEquals(301L, await(journal.append(event("Tick", 301))).position());
  }

  @Test
  void retentionDeletesOldSegmentsAndNeverReusesPositions() throws IOException {
    reopen(options().setSegmentBytes(4096).setRetentionBytes(12_000));
    appendMany(400, "Tick");

    List<JournalRecord> kept = await(journal.read(1, 1000));
    assertTrue(kept.size() < 400, "retention deleted nothing");
    assertTrue(kept.get(0).position() > 1);
    assertEquals(400L, kept.get(kept.size() - 1).position());
    long total = 0;
    for (Path file : segmentFiles()) {
      total += Files.size(file);
    }
    assertTrue(total <= 12_000 + 4096 * 2, "journal holds " + total + " bytes");
    assertEquals(401L, await(journal.append(event("Tick", 401))).position());
  }

  @Test
  void retentionByAgeDeletesSegmentsLastWrittenLongAgo() throws IOException {
    reopen(options().setSegmentBytes(4096));
    appendMany(100, "Old");
    List<Path> old = segmentFiles();
    assertTrue(old.size() > 2, "expected several segments");
    // Age the closed segments; the active one keeps its time.
    java.nio.file.attribute.FileTime longAgo = java.nio.file.attribute.FileTime.from(
        java.time.Instant.now().minus(Duration.ofDays(30)));
    for (Path segment : old.subList(0, old.size() - 1)) {
      Files.setLastModifiedTime(segment, longAgo);
    }

    reopen(options().setSegmentBytes(4096).setRetentionAge(Duration.ofDays(7)));
    appendMany(100, "New");   // rolls, and each roll applies retention

    List<JournalRecord> kept = await(journal.read(1, 1000));
    assertTrue(kept.get(0).position() > 1, "aged segments were kept");
    assertTrue(kept.stream().filter(r -> r.event().type().equals("New")).count() == 100, "new records were lost");
    for (Path segment : old.subList(0, old.size() - 1)) {
      assertFalse(Files.exists(segment), segment + " is older than the retention age and still there");
    }
  }

  @Test
  void everyFsyncPolicyStoresAndReadsBack() {
    for (FsyncPolicy policy : List.of(FsyncPolicy.NEVER, FsyncPolicy.interval(Duration.ofMillis(20)),
        FsyncPolicy.ALWAYS)) {
      reopen(options().setFsync(policy));
      long before = await(journal.lastPosition());
      appendMany(50, "Policy");
      assertEquals(before + 50, await(journal.lastPosition()), policy.toString());
    }
    reopen(options());
    assertEquals(150, await(journal.read(1, 1000)).size());
  }

  @Test
  void anOversizedEventIsRefusedAndTheJournalGoesOn() {
    reopen(options().setMaxRecordBytes(1024));
    JournalEvent huge = new JournalEvent(UUID.randomUUID().toString(), "Huge", 1, Map.of(),
        new JsonObject().put("blob", "x".repeat(2000)));

    try {
      journal.append(huge).await(10, TimeUnit.SECONDS);
      throw new AssertionError("an oversized event was accepted");
    } catch (CommBusException e) {
      assertEquals(ErrorCode.INVALID_MESSAGE, e.code());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
    assertEquals(io.commbus.bus.journal.JournalHealth.State.UP, journal.health().state(),
        "an event's own fault says nothing about the store");
    assertEquals(1L, await(journal.append(event("Small", 1))).position());
  }

  @Test
  void aSegmentFileWithAForeignHeaderIsRefused() throws IOException {
    await(journal.close());
    journal = null;
    Files.write(lastSegment(), "definitely not a journal".getBytes());

    Throwable failure = FileJournal.open(vertx, options()).transform(ar -> Future.succeededFuture(ar.cause()))
        .await();

    assertNotNull(failure);
    assertTrue(String.valueOf(failure.getMessage()).contains("not a journal segment")
        || String.valueOf(failure.getMessage()).contains("too short"), String.valueOf(failure));
  }

  @Test
  void policiesParseFromText() {
    assertEquals(FsyncPolicy.Mode.ALWAYS, FsyncPolicy.parse("always").mode());
    assertEquals(FsyncPolicy.Mode.NEVER, FsyncPolicy.parse("never").mode());
    assertEquals(Duration.ofMillis(250), FsyncPolicy.parse("interval:250").interval());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse("sometimes"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> FsyncPolicy.parse("interval:x"));
  }
}
