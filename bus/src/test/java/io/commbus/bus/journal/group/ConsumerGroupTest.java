package io.commbus.bus.journal.group;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.JournaledBusFixture;
import io.commbus.bus.journal.file.FileCheckpointStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsumerGroupTest extends JournaledBusFixture {


  private CheckpointStore checkpoints;

  @BeforeEach
  void createCheckpointStore() {
    checkpoints = new FileCheckpointStore(vertx, directory.resolve("checkpoints"));
  }

  private ConsumerGroupOptions group() {
    return new ConsumerGroupOptions("billing", checkpoints).setTypes(Set.of("Order"))
        .setInitialBackoff(Duration.ofMillis(5)).setMaxBackoff(Duration.ofMillis(20));
  }

  private void publishOrders(int from, int to) {
    List<Future<Long>> all = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      all.add(bus.publish(Message.event("Order", new JsonObject().put("n", n))));
    }
    await(Future.all(all));
  }

  /** Positions a handler saw, completing once every one of {@code expected} has been seen. */
  private static final class Seen {
    final Map<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
    final Set<Long> expected;
    final Promise<Void> all = Promise.promise();

    Seen(Set<Long> expected) {
      this.expected = expected;
    }

    Future<Void> record(Message m) {
      counts.computeIfAbsent(m.position(), p -> new AtomicInteger()).incrementAndGet();
      if (counts.keySet().containsAll(expected)) {
        all.tryComplete();
      }
      return Future.succeededFuture();
    }
  }

  private static Set<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toSet());
  }

  @Test
  void aGroupResumesAfterItsCheckpointWhenItRejoins() {
    publishOrders(1, 100);
    Seen first = new Seen(range(1, 100));
    Registration member = await(bus.joinGroup(group(), first::record));
    await(first.all.future());
    await(member.unregister());
    long checkpoint = await(checkpoints.load("billing"));
    assertTrue(checkpoint > 0 && checkpoint <= 100, "checkpoint " + checkpoint);

    publishOrders(101, 150);
    Seen second = new Seen(range(checkpoint + 1, 150));
    Registration again = await(bus.joinGroup(group(), second::record));
    await(second.all.future());
    await(again.unregister());

    assertTrue(second.counts.keySet().stream().allMatch(p -> p > checkpoint),
        "redelivered events at or before the checkpoint " + checkpoint);
  }

  @Test
  void aFailingEventIsRetriedUntilItSucceeds() {
    publishOrders(1, 10);
    AtomicInteger attemptsOnSeven = new AtomicInteger();
    Promise<Integer> sevenDone = Promise.promise();
    Registration member = await(bus.joinGroup(group(), m -> {
      if (m.json().getInteger("n") == 7) {
        int attempt = attemptsOnSeven.incrementAndGet();
        if (attempt < 3) {
          return Future.failedFuture(new IllegalStateException("not yet"));
        }
        sevenDone.complete(attempt);
      }
      return Future.succeededFuture();
    }));

    assertEquals(3, await(sevenDone.future()));
    await(member.unregister());
    assertEquals(3, attemptsOnSeven.get());
    assertEquals(List.of(), await(journal.read(1, 100, Set.of(group().deadLetterType()))));
  }

  @Test
  void anEventThatKeepsFailingIsParkedInTheDeadLetterStream() {
    publishOrders(1, 5);
    AtomicInteger attemptsOnThree = new AtomicInteger();
    Seen others = new Seen(Set.of(1L, 2L, 4L, 5L));
    Promise<Message> parked = Promise.promise();
    bus.subscribeFrom(group().deadLetterType(), 1, parked::tryComplete);

    Registration member = await(bus.joinGroup(group().setMaxAttempts(3), m -> {
      if (m.json().getInteger("n") == 3) {
        attemptsOnThree.incrementAndGet();
        return Future.failedFuture(new IllegalArgumentException("cannot bill order 3"));
      }
      return others.record(m);
    }));

    Message letter = await(parked.future());
    await(others.all.future());
    await(member.unregister());
    assertEquals(3, attemptsOnThree.get());
    assertEquals("3", letter.metadata().get("dead-letter-position"));
    assertEquals("Order", letter.metadata().get("dead-letter-type"));
    assertEquals("3", letter.metadata().get("dead-letter-attempts"));
    assertTrue(letter.metadata().get("dead-letter-error").contains("cannot bill order 3"));
    assertEquals(3, letter.json().getInteger("n"));
    assertTrue(await(checkpoints.load("billing")) >= 3, "the group did not move past the parked event");
  }

  @Test
  void membersShareTheWork() {
    CommBus other = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    Seen seen = new Seen(range(1, 200));
    Map<String, AtomicInteger> byMember = new ConcurrentHashMap<>();
    Registration a = await(bus.joinGroup(group(), m -> {
      byMember.computeIfAbsent("a", k -> new AtomicInteger()).incrementAndGet();
      return seen.record(m);
    }));
    Registration b = await(other.joinGroup(group(), m -> {
      byMember.computeIfAbsent("b", k -> new AtomicInteger()).incrementAndGet();
      return seen.record(m);
    }));

    publishOrders(1, 200);
    await(seen.all.future());
    // The non-dispatching member leaves first, so no hand-over redelivers anything (see
    // whenTheDispatchingMemberLeavesAnotherTakesOver for that).
    await(b.unregister());
    await(a.unregister());

    assertEquals(2, byMember.size(), "one member did all the work: " + byMember);
    assertTrue(seen.counts.values().stream().allMatch(c -> c.get() == 1), "an event was handled twice");
  }

  @Test
  void whenTheDispatchingMemberLeavesAnotherTakesOver() {
    publishOrders(1, 100);
    Seen seen = new Seen(range(1, 100));
    Promise<Void> twenty = Promise.promise();
    AtomicInteger acknowledgedByFirst = new AtomicInteger();
    // The first member acknowledges 20 events, then hangs: only a takeover can finish the rest.
    Registration first = await(bus.joinGroup(group().setMaxInFlight(4), m -> {
      if (acknowledgedByFirst.get() >= 20) {
        return Promise.<Void>promise().future();
      }
      if (acknowledgedByFirst.incrementAndGet() == 20) {
        twenty.complete();
      }
      return seen.record(m);
    }));
    await(twenty.future());
    CommBus other = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    Registration second = await(other.joinGroup(group().setMaxInFlight(4), seen::record));

    await(first.unregister());
    await(seen.all.future());
    await(second.unregister());

    assertEquals(range(1, 100), seen.counts.keySet());
  }

  @Test
  void aGroupNeedsAJournal() {
    CommBus plain = CommBus.create(vertx);
    Throwable failure = plain.joinGroup(group(), m -> Future.succeededFuture())
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertInstanceOf(IllegalStateException.class, failure);
  }

  @Test
  void groupNamesAreChecked() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ConsumerGroupOptions("../etc", checkpoints));
  }
}
