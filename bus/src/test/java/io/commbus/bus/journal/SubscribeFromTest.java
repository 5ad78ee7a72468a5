package io.commbus.bus.journal;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.JournalFollow;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** subscribeFrom: replay from the journal, then live, with no gap and no duplicate. */
class SubscribeFromTest extends JournaledBusFixture {



  private void publish(String type, int from, int to) {
    List<Future<Long>> all = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      all.add(bus.publish(Message.event(type, new JsonObject().put("n", i))));
    }
    await(Future.all(all));
  }

  /** Collects positions and completes when {@code count} have arrived. */
  private static final class Collector {
    final List<Long> positions = Collections.synchronizedList(new ArrayList<>());
    final Promise<Void> done = Promise.promise();
    final int count;

    Collector(int count) {
      this.count = count;
    }

    void accept(Message m) {
      positions.add(m.position());
      if (positions.size() == count) {
        done.complete();
      }
    }
  }

  @Test
  void aPausedFollowDeliversNothingUntilResumedThenGoesOnWithNoGap() {
    publish("Paced", 1, 700);
    List<Long> positions = new ArrayList<>();
    Promise<Void> paused = Promise.promise();
    Promise<Void> done = Promise.promise();
    JournalFollow[] follow = new JournalFollow[1];
    // Made on the context it delivers on, so the handler cannot run before follow[0] is set
    // (from the test's thread, a descheduled moment after subscribeFrom returned was enough).
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> follow[0] = bus.subscribeFrom("Paced", 1, m -> {
      positions.add(m.position());
      if (positions.size() == 300) {
        follow[0].pause(); // in the middle of a read batch
        paused.complete();
      }
      if (positions.size() == 800) {
        done.complete();
      }
    }));
    await(paused.future());
    publish("Paced", 701, 800); // the journal grows while the follow is paused
    await(Future.future(p -> context.runOnContext(v -> p.complete())));  // a turn of the follow's own loop
    assertEquals(300, positions.size(), "nothing is delivered while paused");
    follow[0].resume();
    await(done.future());
    assertEquals(LongStream.rangeClosed(1, 800).boxed().collect(Collectors.toList()), positions);
  }

  @Test
  void aFollowEndsWhenUnregisteredAndFailsWhenTheJournalCannotBeRead() {
    publish("Ended", 1, 3);
    JournalFollow follow = bus.subscribeFrom("Ended", 1, m -> { });
    await(follow.ready());
    await(follow.unregister());
    await(follow.ended());

    await(journal.close());
    JournalFollow unreadable = bus.subscribeFrom("Ended", 1, m -> { });
    Throwable why = assertThrows(Throwable.class, () -> await(unreadable.ended()));
    assertTrue(why.getMessage().contains("closed"), why.toString());
  }

  @Test
  void replaysThenFollowsLiveEvents() {
    publish("Tick", 1, 50);
    Collector seen = new Collector(100);

    Registration sub = bus.subscribeFrom("Tick", 1, seen::accept);
    await(sub.ready());
    publish("Tick", 51, 100);
    await(seen.done.future());

    assertEquals(LongStream.rangeClosed(1, 100).boxed().collect(Collectors.toList()), seen.positions);
  }

  @Test
  void catchingUpWhilePublishingContinuesLeavesNoGapAndNoDuplicate() {
    int total = 2000;
    List<Future<Long>> publishing = new ArrayList<>();
    for (int i = 0; i < total / 2; i++) {
      publishing.add(bus.publish(Message.event("Busy", new JsonObject().put("n", i))));
    }
    Collector seen = new Collector(total);
    bus.subscribeFrom(Set.of(), 1, seen::accept);   // every type
    for (int i = total / 2; i < total; i++) {
      publishing.add(bus.publish(Message.event("Busy", new JsonObject().put("n", i))));
    }
    await(Future.all(publishing));
    await(seen.done.future());

    assertEquals(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toList()), seen.positions);
  }

  @Test
  void startsAtAPositionAndFiltersByType() {
    for (int i = 1; i <= 40; i++) {
      publish(i % 2 == 0 ? "Even" : "Odd", i, i);
    }
    Collector seen = new Collector(6);

    await(bus.subscribeFrom("Even", 30, seen::accept).ready());
    await(seen.done.future());

    assertEquals(List.of(30L, 32L, 34L, 36L, 38L, 40L), seen.positions);
  }

  @Test
  void replayedEventsLookLikeLiveOnes() {
    bus.publish(Message.event("Order", new JsonObject().put("id", "o-1")).withMetadata("tenant", "blue"));
    Promise<Message> replayed = Promise.promise();

    bus.subscribeFrom("Order", 1, replayed::tryComplete);
    Message m = await(replayed.future());

    assertEquals("Order", m.type());
    assertEquals(1L, m.position());
    assertEquals("blue", m.metadata().get("tenant"));
    assertEquals("o-1", m.json().getString("id"));
    assertEquals(55, m.traceparent().length());
  }

  @Test
  void unregisteringStopsDelivery() {
    publish("Tick", 1, 10);
    Collector seen = new Collector(10);
    Registration sub = bus.subscribeFrom("Tick", 1, seen::accept);
    await(seen.done.future());
    await(sub.unregister());

    publish("Tick", 11, 20);
    // A second subscription that sees 11..20 proves they were appended after the first stopped.
    Collector later = new Collector(10);
    await(bus.subscribeFrom("Tick", 11, later::accept).ready());
    await(later.done.future());

    assertEquals(10, seen.positions.size());
  }

  @Test
  void closingTheBusStopsItsJournalSubscriptions() {
    publish("Tick", 1, 5);
    CommBus closing = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    Collector first = new Collector(5);
    Registration sub = closing.subscribeFrom("Tick", 1, first::accept);
    await(first.done.future());
    // The last replayed event is handed over before the subscription counts itself caught up:
    // wait for that too, so the close meets a live subscription.
    await(sub.ready());

    await(closing.close());

    publish("Tick", 6, 10);
    Collector later = new Collector(10);
    await(bus.subscribeFrom("Tick", 1, later::accept).ready());
    await(later.done.future());
    assertEquals(5, first.positions.size(), "a closed bus kept delivering");
  }

  @Test
  void withoutAJournalTheSubscriptionFailsClearly() {
    CommBus plain = CommBus.create(vertx);
    Registration sub = plain.subscribeFrom("Tick", 1, m -> {
    });
    Throwable failure = sub.ready().transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertInstanceOf(IllegalStateException.class, failure);
  }
}
