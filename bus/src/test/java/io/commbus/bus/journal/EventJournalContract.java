package io.commbus.bus.journal;

import io.commbus.bus.error.CommBusException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract every {@link EventJournal} meets; each implementation's test extends it. */
@Timeout(60)
public abstract class EventJournalContract {

  protected Vertx vertx;
  protected EventJournal journal;

  /** Opens the implementation under test on an empty journal (or reopens the same one). */
  protected abstract Future<EventJournal> open(boolean fresh);

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    journal = await(open(true));
  }

  @AfterEach
  void stop() {
    if (journal != null) {
      await(journal.close());
    }
    await(vertx.close());
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  protected static JournalEvent event(String type, int n) {
    return new JournalEvent(UUID.randomUUID().toString(), type, 1_700_000_000_000L + n,
        Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        new JsonObject().put("n", n));
  }

  @Test
  void positionsAreDenseAndStartAtOne() {
    for (int i = 1; i <= 5; i++) {
      Appended appended = await(journal.append(event("Tick", i)));
      assertEquals(i, appended.position());
      assertFalse(appended.duplicate());
    }
    assertEquals(5L, await(journal.lastPosition()));
  }

  @Test
  void aJournalThatStoresIsUp() {
    assertEquals(JournalHealth.State.UP, journal.health().state(), "a journal just opened is up");
    await(journal.append(event("Order", 1)));
    JournalHealth health = journal.health();
    assertEquals(JournalHealth.State.UP, health.state(), health.toString());
    assertEquals(null, health.cause());
  }

  @Test
  void aRecordKeepsEverythingItWasGiven() {
    JournalEvent json = new JournalEvent("id-json", "Order", 1234L, Map.of("tenant", "blue", "traceparent", "tp"),
        new JsonObject().put("symbol", "ACME").put("qty", 3));
    JournalEvent bytes = new JournalEvent("id-bytes", "Audio", 5678L, Map.of(), Buffer.buffer(new byte[] {0, 1, -1}));
    JournalEvent empty = new JournalEvent("id-empty", "Ping", 9L, Map.of(), null);
    await(journal.append(json));
    await(journal.append(bytes));
    await(journal.append(empty));

    List<JournalRecord> records = await(journal.read(1, 10));

    assertEquals(3, records.size());
    JournalEvent first = records.get(0).event();
    assertEquals("id-json", first.id());
    assertEquals("Order", first.type());
    assertEquals(1234L, first.timestampMillis());
    assertEquals(Map.of("tenant", "blue", "traceparent", "tp"), first.headers());
    assertEquals(new JsonObject().put("symbol", "ACME").put("qty", 3), first.body());
    assertEquals(Buffer.buffer(new byte[] {0, 1, -1}), records.get(1).event().body());
    assertEquals(null, records.get(2).event().body());
  }

  @Test
  void readsByRangeAndByType() {
    for (int i = 1; i <= 10; i++) {
      await(journal.append(event(i % 2 == 0 ? "Even" : "Odd", i)));
    }

    assertEquals(List.of(4L, 5L, 6L), positions(await(journal.read(4, 3))));
    assertEquals(List.of(6L, 8L, 10L), positions(await(journal.read(5, 10, Set.of("Even")))));
    assertEquals(List.of(), positions(await(journal.read(11, 10))));
    assertEquals(List.of(1L, 3L), positions(await(journal.read(0, 2, Set.of("Odd")))));
  }

  @Test
  void concurrentAppendsAreAllStoredOnceInOneOrder() {
    List<Future<Appended>> appends = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      appends.add(journal.append(event("Load", i)));
    }
    await(Future.all(appends));

    Set<Long> positions = appends.stream().map(f -> f.result().position()).collect(Collectors.toSet());
    assertEquals(500, positions.size());
    assertEquals(1L, positions.stream().mapToLong(Long::longValue).min().getAsLong());
    assertEquals(500L, positions.stream().mapToLong(Long::longValue).max().getAsLong());
    assertEquals(500, await(journal.read(1, 1000)).size());
  }

  @Test
  void appendingTheSameEventIdAgainReturnsTheOriginalPosition() {
    JournalEvent original = event("Order", 1);
    await(journal.append(event("Order", 0)));
    Appended first = await(journal.append(original));

    Appended retry = await(journal.append(original));

    assertEquals(first.position(), retry.position());
    assertTrue(retry.duplicate());
    assertEquals(2L, await(journal.lastPosition()));
  }

  @Test
  void readersSeeADensePrefixWhileAppendsContinue() {
    List<Future<Appended>> appends = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      appends.add(journal.append(event("Race", i)));
      if (i % 50 == 0) {
        List<JournalRecord> seen = await(journal.read(1, 1000));
        for (int k = 0; k < seen.size(); k++) {
          if (seen.get(k).position() != k + 1) {
            problems.add("read " + seen.get(k).position() + " at index " + k);
          }
        }
      }
    }
    await(Future.all(appends));
    assertEquals(List.of(), problems);
    assertEquals(300, await(journal.read(1, 1000)).size());
  }

  @Test
  void watchersHearOfNewRecords() {
    Promise<Long> heard = Promise.promise();
    AutoCloseable watch = journal.watch(last -> {
      if (last >= 3) {
        heard.tryComplete(last);
      }
    });
    for (int i = 0; i < 3; i++) {
      await(journal.append(event("Tick", i)));
    }
    assertTrue(await(heard.future()) >= 3);
    assertDoesNotThrow(watch);
  }

  private static void assertDoesNotThrow(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void futuresCompleteOnTheCallersContext() {
    io.vertx.core.Context caller = vertx.getOrCreateContext();
    Promise<List<String>> where = Promise.promise();
    caller.runOnContext(v -> {
      List<String> wrong = new ArrayList<>();
      journal.append(event("Here", 1))
          .compose(appended -> {
            check(caller, "append", wrong);
            return journal.read(1, 10);
          })
          .compose(records -> {
            check(caller, "read", wrong);
            return journal.lastPosition();
          })
          .onComplete(ar -> {
            check(caller, "lastPosition", wrong);
            where.complete(wrong);
          });
    });
    assertEquals(List.of(), await(where.future()));
  }

  private static void check(io.vertx.core.Context expected, String what, List<String> wrong) {
    io.vertx.core.internal.ContextInternal current = io.vertx.core.internal.ContextInternal.current();
    if (current == null || current.unwrap() != ((io.vertx.core.internal.ContextInternal) expected).unwrap()) {
      wrong.add(what + " completed on " + Thread.currentThread().getName());
    }
  }

  @Test
  void recordsSurviveClosingAndReopening() {
    for (int i = 1; i <= 20; i++) {
      await(journal.append(event("Kept", i)));
    }
    await(journal.close());
    journal = await(open(false));

    List<JournalRecord> records = await(journal.read(1, 100));
    assertEquals(20, records.size());
    assertEquals(20, ((JsonObject) records.get(19).event().body()).getInteger("n"));
    assertEquals(21L, await(journal.append(event("Kept", 21))).position());
  }

  @Test
  void idempotencySurvivesAReopen() {
    JournalEvent original = event("Order", 1);
    long position = await(journal.append(original)).position();
    await(journal.close());
    journal = await(open(false));

    Appended retry = await(journal.append(original));

    assertTrue(retry.duplicate());
    assertEquals(position, retry.position());
  }

  @Test
  void aClosedJournalRefusesAppends() {
    await(journal.close());
    CommBusException error = assertFailsWithStorage(journal.append(event("Late", 1)));
    journal = null;
    assertTrue(error.getMessage().contains("closed"), error.getMessage());
  }

  protected static CommBusException assertFailsWithStorage(Future<?> future) {
    try {
      future.await(30, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (CommBusException e) {
      assertEquals(io.commbus.bus.error.ErrorCode.STORAGE, e.code());
      return e;
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  protected static List<Long> positions(List<JournalRecord> records) {
    return records.stream().map(JournalRecord::position).collect(Collectors.toList());
  }
}
