package io.commbus.bus.journal;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** publish with a journal: append first, deliver after, with the position on every event. */
class JournaledPublishTest extends JournaledBusFixture {



  @Test
  void publishAppendsThenDeliversWithThePosition() {
    Promise<Message> received = Promise.promise();
    await(bus.subscribe("OrderPlaced", received::complete).ready());

    long position = await(bus.publish(Message.event("OrderPlaced", new JsonObject().put("id", "o-1"))
        .withMetadata("tenant", "blue")));

    Message event = await(received.future());
    assertEquals(1L, position);
    assertEquals(position, event.position());
    JournalRecord stored = await(journal.read(position, 1)).get(0);
    assertEquals(event.id(), stored.event().id());
    assertEquals("OrderPlaced", stored.event().type());
    assertEquals(new JsonObject().put("id", "o-1"), stored.event().body());
    assertEquals("blue", stored.event().headers().get("tenant"));
    assertEquals(event.traceparent(), stored.event().headers().get("traceparent"));
  }

  @Test
  void everyDeliveredEventIsAlreadyInTheJournal() {
    List<Long> seen = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> all = Promise.promise();
    await(bus.subscribe("Tick", m -> {
      seen.add(m.position());
      if (seen.size() == 200) {
        all.complete();
      }
    }).ready());

    List<Future<Long>> publishes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      publishes.add(bus.publish(Message.event("Tick", new JsonObject().put("n", i))));
    }
    await(Future.all(publishes));
    await(all.future());

    long last = await(journal.lastPosition());
    assertEquals(200L, last);
    assertTrue(seen.stream().allMatch(p -> p >= 1 && p <= last), "a delivered event had no journal position");
    assertEquals(200, seen.stream().distinct().count());
  }

  @Test
  void aRetriedEventIdIsStoredAndDeliveredOnce() {
    List<Message> received = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> marker = Promise.promise();
    await(bus.subscribe("Paid", m -> {
      if (m.json().getBoolean("marker", false)) {
        marker.complete();
      } else {
        received.add(m);
      }
    }).ready());
    Message payment = Message.event("Paid", new JsonObject().put("amount", 10)).withId("payment-42");

    long first = await(bus.publish(payment));
    long retry = await(bus.publish(payment));
    await(bus.publish(Message.event("Paid", new JsonObject().put("marker", true))));
    await(marker.future());

    assertEquals(first, retry);
    assertEquals(1, received.size());
    assertEquals("payment-42", received.get(0).id());
    assertEquals(2L, await(journal.lastPosition()));
  }

  @Test
  void aFailedAppendIsNeitherAcknowledgedNorDelivered() {
    List<Message> received = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> marker = Promise.promise();
    Registration sub = bus.subscribe("Lost", m -> {
      if (m.json().getBoolean("marker", false)) {
        marker.complete();
      } else {
        received.add(m);
      }
    });
    await(sub.ready());
    await(journal.close());

    try {
      bus.publish(Message.event("Lost", new JsonObject())).await(10, TimeUnit.SECONDS);
      throw new AssertionError("a publish without a journal append succeeded");
    } catch (CommBusException e) {
      assertEquals(ErrorCode.STORAGE, e.code());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
    // A marker sent after the failed publish arrives after anything that publish could have sent.
    CommBus unjournaled = CommBus.create(vertx);
    await(unjournaled.publish(Message.event("Lost", new JsonObject().put("marker", true))));
    await(marker.future());
    assertEquals(List.of(), received);
    journal = await(FileJournal.open(vertx, new FileJournalOptions(directory.resolve("journal"))));
  }
}
