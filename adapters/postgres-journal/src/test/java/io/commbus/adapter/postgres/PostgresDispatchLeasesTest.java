package io.commbus.adapter.postgres;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.DispatchLease;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer-group dispatch decided in PostgreSQL: two nodes that share no cluster (and so no
 * cluster lock) but one journal run one dispatcher between them, and a holder whose lease was
 * taken over cannot write the group's checkpoint. Needs PostgreSQL at 127.0.0.1:5432.
 */
@Timeout(60)
class PostgresDispatchLeasesTest {

  private final String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String table = "leases_test_" + suffix;
  private final String group = "g-" + suffix;
  private final List<Vertx> nodes = new ArrayList<>();

  private PostgresJournalOptions options() {
    return new PostgresJournalOptions().setTable(table);
  }

  private Vertx node() {
    Vertx vertx = Vertx.vertx();
    nodes.add(vertx);
    return vertx;
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @AfterEach
  void cleanUp() {
    for (Vertx node : nodes) {
      await(node.close());
    }
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection conn = await(PgConnection.connect(vertx, options().getConnect()));
      await(conn.query("DROP TABLE IF EXISTS \"" + table + "\", \"" + table + "_head\"").execute());
      await(conn.preparedQuery("DELETE FROM " + PostgresDispatchLeases.TABLE + " WHERE group_name = $1")
          .execute(Tuple.of(group)).recover(e -> Future.succeededFuture()));
      await(conn.preparedQuery("DELETE FROM commbus_checkpoints WHERE group_name = $1").execute(Tuple.of(group))
          .recover(e -> Future.succeededFuture()));
      await(conn.close());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void twoNodesWithoutAClusterHandEachEventToOneMemberOnce() throws Exception {
    Map<Integer, Integer> handled = new ConcurrentHashMap<>();
    int events = 40;
    CountDownLatch all = new CountDownLatch(events);
    CommBus first = null;
    for (int i = 0; i < 2; i++) {
      Vertx vertx = node();
      PostgresJournal journal = await(PostgresJournal.open(vertx, options()));
      CommBus bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
      ConsumerGroupOptions options = new ConsumerGroupOptions(group, PostgresCheckpointStore.create(vertx, options()))
          .setLeases(PostgresDispatchLeases.create(vertx, options())).setInitialBackoff(Duration.ofMillis(20));
      await(bus.joinGroup(options, event -> {
        if (handled.merge(event.json().getInteger("n"), 1, Integer::sum) == 1) {
          all.countDown();
        }
        return Future.succeededFuture();
      }));
      first = first == null ? bus : first;
    }
    for (int n = 1; n <= events; n++) {
      await(first.publish(Message.event("Order", new JsonObject().put("n", n))));
    }

    assertTrue(all.await(30, TimeUnit.SECONDS), "handled: " + handled.keySet());
    // The one dispatcher saves its checkpoint after the last event; a second one, were there
    // one, would have handed every event out again by the time both have.
    awaitCheckpoint(PostgresCheckpointStore.create(node(), options()), events);
    assertTrue(handled.values().stream().allMatch(times -> times == 1), "each event once: " + handled);
    assertEquals(events, handled.size());
  }

  @Test
  void aHolderWhoseLeaseWasTakenOverCannotWriteTheCheckpoint() throws Exception {
    Vertx crashed = node();
    Duration ttl = Duration.ofSeconds(2);
    DispatchLease stale = await(PostgresDispatchLeases.create(crashed, options(), ttl).acquire(group));
    Vertx other = node();
    PostgresDispatchLeases otherLeases = PostgresDispatchLeases.create(other, options(), ttl);
    CommBusException held = assertThrows(CommBusException.class, () -> await(otherLeases.acquire(group)));
    assertEquals(ErrorCode.UNAVAILABLE, held.code(), "held while renewed: " + held.getMessage());

    await(crashed.close());   // its renewals stop, as a crashed or cut-off node's would
    nodes.remove(crashed);
    DispatchLease current = acquireWithin(otherLeases, Duration.ofSeconds(10));
    assertTrue(current.token() > stale.token(), "a later holder has a larger token");

    PostgresCheckpointStore checkpoints = PostgresCheckpointStore.create(other, options());
    await(checkpoints.save(group, 7, current));
    CommBusException fenced = assertThrows(CommBusException.class, () -> await(checkpoints.save(group, 9, stale)));
    assertEquals(ErrorCode.UNAVAILABLE, fenced.code(), fenced.getMessage());
    assertEquals(7L, await(checkpoints.load(group)), "the superseded holder wrote nothing");
  }

  /** Takes the group's lease once the holder's has expired, asking again at its retry delay until {@code wait} is over. */
  private DispatchLease acquireWithin(PostgresDispatchLeases leases, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        return await(leases.acquire(group));
      } catch (CommBusException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(leases.retryDelay().toMillis());   // as a group member waits between asks
      }
    }
  }

  /** Waits, boundedly, until the group's checkpoint reaches {@code position}. */
  private void awaitCheckpoint(PostgresCheckpointStore checkpoints, long position) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = await(checkpoints.load(group));
      if (seen >= position) {
        return;
      }
      Thread.sleep(20);   // a checkpoint is a row, with nothing to wait on
    }
    throw new AssertionError("the checkpoint is " + seen + ", not " + position);
  }
}
