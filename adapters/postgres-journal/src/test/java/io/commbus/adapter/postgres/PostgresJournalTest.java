package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.EventJournalContract;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalHealth;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The journal contract on a real PostgreSQL at 127.0.0.1:5432, and what only a shared database
 * journal has to get right: several nodes on one table. Each test gets its own table, dropped
 * afterwards. Without a server these tests fail; they never skip.
 */
class PostgresJournalTest extends EventJournalContract {

  private static final String HOST = "127.0.0.1";
  private static final int PORT = 5432;

  /** This test's table; {@link #open(boolean)} with {@code fresh} starts a new one. */
  private String table;
  private final List<String> tables = new ArrayList<>();
  /** Second nodes opened by a test, closed after it. */
  private final List<Vertx> otherNodes = new ArrayList<>();
  private final List<PostgresJournal> otherJournals = new ArrayList<>();

  @BeforeAll
  static void postgresIsRunning() {
    Vertx probe = Vertx.vertx();
    try {
      PgConnection conn = PgConnection.connect(probe, connectOptions()).await(10, TimeUnit.SECONDS);
      conn.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      fail("These tests need PostgreSQL at " + HOST + ":" + PORT + " (user postgres, database test, trust auth), "
          + "and it is not reachable: " + e + ". Start it with: "
          + "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
    } finally {
      probe.close().await();
    }
  }

  private static PgConnectOptions connectOptions() {
    return new PostgresJournalOptions().getConnect();
  }

  private PostgresJournalOptions options() {
    return new PostgresJournalOptions().setTable(table);
  }

  @Override
  protected Future<EventJournal> open(boolean fresh) {
    if (fresh || table == null) {
      table = "commbus_journal_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      tables.add(table);
    }
    return PostgresJournal.open(vertx, options()).map(j -> (EventJournal) j);
  }

  /** Runs before the contract's own clean-up, so {@code vertx} is still open. */
  @AfterEach
  void dropTables() {
    for (PostgresJournal other : otherJournals) {
      await(other.close());
    }
    for (Vertx other : otherNodes) {
      await(other.close());
    }
    PgConnection conn = await(PgConnection.connect(vertx, connectOptions()));
    try {
      for (String name : tables) {
        await(conn.query("DROP TABLE IF EXISTS \"" + name + "\", \"" + name + "_head\"").execute());
      }
    } finally {
      await(conn.close());
    }
  }

  /** The same table opened by another Vert.x instance: a second node. */
  private PostgresJournal otherNode() {
    Vertx other = Vertx.vertx();
    otherNodes.add(other);
    PostgresJournal journal = await(PostgresJournal.open(other, options()));
    otherJournals.add(journal);
    return journal;
  }

  private static JournalEvent withId(String id, int n) {
    return new JournalEvent(id, "Order", 1_700_000_000_000L + n, Map.of(), new JsonObject().put("n", n));
  }

  @Test
  void twoNodesAppendingAtOnceGetDenseUniquePositions() {
    PostgresJournal other = otherNode();
    List<Future<Appended>> appends = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      appends.add(journal.append(event("Here", i)));
      appends.add(other.append(event("There", i)));
    }
    await(Future.all(appends));

    List<Long> positions = appends.stream().map(f -> f.result().position()).sorted().collect(Collectors.toList());
    assertEquals(LongStream.rangeClosed(1, 600).boxed().collect(Collectors.toList()), positions);
    assertTrue(appends.stream().noneMatch(f -> f.result().duplicate()));
    assertEquals(positions, positions(await(other.read(1, 1000))));
    assertEquals(600L, await(journal.lastPosition()));
    assertEquals(600L, await(other.lastPosition()));
  }

  @Test
  void theSameEventFromTwoNodesIsStoredOnce() {
    PostgresJournal other = otherNode();
    for (int i = 0; i < 20; i++) {
      JournalEvent event = withId("order-" + i, i);
      Future<Appended> here = journal.append(event);
      Future<Appended> there = other.append(event);
      await(Future.all(here, there));

      assertEquals(here.result().position(), there.result().position(), "event " + i);
      assertTrue(here.result().duplicate() ^ there.result().duplicate(), here.result() + " / " + there.result());
    }
    List<JournalRecord> records = await(journal.read(1, 100));
    assertEquals(LongStream.rangeClosed(1, 20).boxed().collect(Collectors.toList()), positions(records));
  }

  @Test
  void theSameEventTwiceInOneBatchIsStoredOnce() {
    JournalEvent event = withId("twice", 1);
    Future<Appended> first = journal.append(event);
    Future<Appended> second = journal.append(event);
    Future<Appended> other = journal.append(withId("other", 2));
    await(Future.all(first, second, other));

    assertEquals(new Appended(1, false).toString(), first.result().toString());
    assertEquals(new Appended(1, true).toString(), second.result().toString());
    assertEquals(2L, other.result().position());
    assertEquals(2, await(journal.read(1, 10)).size());
  }

  @Test
  void idempotencyHasNoWindow() {
    JournalEvent original = withId("long-ago", 0);
    await(journal.append(original));
    List<Future<Appended>> later = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      later.add(journal.append(event("Later", i)));
    }
    await(Future.all(later));

    Appended retry = await(journal.append(original));

    assertTrue(retry.duplicate());
    assertEquals(1L, retry.position());
    assertEquals(2001L, await(journal.lastPosition()));
  }

  @Test
  void watchersHearAppendsMadeByAnotherNode() {
    PostgresJournal other = otherNode();
    Promise<Long> heard = Promise.promise();
    journal.watch(last -> {
      if (last >= 2) {
        heard.tryComplete(last);
      }
    });

    await(other.append(event("Remote", 1)));
    await(other.append(event("Remote", 2)));

    assertEquals(2L, await(heard.future()));
  }

  @Test
  void watchersCatchUpWhenTheListenConnectionIsLost() {
    await(journal.close());
    journal = await(PostgresJournal.open(vertx, options().setListenRetryDelay(Duration.ofMillis(50))));
    List<Long> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    journal.watch(heard::add);
    await(journal.append(event("Before", 1)));
    waitFor(() -> heard.contains(1L), "the first notification");

    PgConnection admin = await(PgConnection.connect(vertx, connectOptions()));
    try {
      int killed = await(admin.preparedQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          + "WHERE query = $1").execute(io.vertx.sqlclient.Tuple.of("LISTEN \"" + table + "\""))).size();
      assertTrue(killed >= 1, "no LISTEN connection found to terminate");
      // Appended while nobody listens: the reconnect must still report it.
      await(journal.append(event("During", 2)));
    } finally {
      await(admin.close());
    }
    waitFor(() -> heard.contains(2L), "position 2 after the LISTEN connection came back");

    await(journal.append(event("After", 3)));
    waitFor(() -> heard.contains(3L), "position 3 through the new LISTEN connection");
  }

  @Test
  void aTableThatIsGoneTakesTheJournalDownUntilItIsBack() {
    await(journal.append(event("Before", 1)));
    assertEquals(JournalHealth.State.UP, journal.health().state());
    PgConnection admin = await(PgConnection.connect(vertx, connectOptions()));
    try {
      await(admin.query("ALTER TABLE \"" + table + "\" RENAME TO \"" + table + "_aside\"").execute());
      tables.add(table + "_aside");
      CommBusException failed = assertFailsWithStorage(journal.append(event("During", 2)));
      JournalHealth down = journal.health();
      assertEquals(JournalHealth.State.DOWN, down.state(), "a journal that cannot store is down");
      assertEquals(failed.getMessage(), down.cause());
      assertEquals(JournalHealth.State.DOWN, await(journal.checkHealth()).state(), "a probe finds it still gone");

      await(admin.query("ALTER TABLE \"" + table + "_aside\" RENAME TO \"" + table + "\"").execute());
    } finally {
      await(admin.close());
    }
    assertEquals(JournalHealth.State.UP, await(journal.checkHealth()).state(),
        "with the table back, the probe finds the journal up before anything is appended");
    assertEquals(2L, await(journal.append(event("After", 3))).position());
    assertEquals(JournalHealth.State.UP, journal.health().state());
  }

  @Test
  void anUnreachableServerIsAStorageErrorNamingIt() {
    PostgresJournalOptions options = options();
    options.getConnect().setPort(1);

    CommBusException error = assertFailsWithStorage(PostgresJournal.open(vertx, options));

    assertTrue(error.getMessage().contains("127.0.0.1:1"), error.getMessage());
  }

  @Test
  void aNulCharacterIsRefusedAsInvalidWithoutFailingOthers() {
    Future<Appended> bad = journal.append(new JournalEvent("bad", "Order", 1, Map.of("x", "a\0b"), null));
    Future<Appended> good = journal.append(event("Order", 1));

    CommBusException error = assertThrows(CommBusException.class, () -> bad.await(30, TimeUnit.SECONDS));
    assertEquals(ErrorCode.INVALID_MESSAGE, error.code());
    assertEquals(1L, await(good).position());
  }

  @Test
  void tableNamesThatAreNotPlainIdentifiersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PostgresJournalOptions().setTable("journal; DROP"));
    assertThrows(IllegalArgumentException.class, () -> new PostgresJournalOptions().setTable("Journal"));
    assertThrows(IllegalArgumentException.class, () -> new PostgresJournalOptions().setTable("x".repeat(49)));
  }

  @Test
  void readsByTypeUseTheDatabaseFilter() {
    for (int i = 1; i <= 6; i++) {
      await(journal.append(event(i % 3 == 0 ? "Fizz" : "Plain", i)));
    }
    assertEquals(List.of(3L, 6L), positions(await(journal.read(1, 10, Set.of("Fizz", "Missing")))));
    assertFalse(await(journal.read(7, 10)).iterator().hasNext());
  }

  private static void waitFor(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
