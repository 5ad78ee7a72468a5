package io.commbus.adapter.redis;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.journal.JournalRecord;
import io.commbus.bus.journal.file.FileCheckpointStore;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both bridges against the real Redis at 127.0.0.1:6379, with a real file journal. */
@Timeout(60)
class RedisStreamBridgesTest {

  private static final String REDIS = "redis://127.0.0.1:6379";

  @TempDir
  Path dir;
  private Vertx vertx;
  private FileJournal journal;
  private CommBus bus;
  private Redis client;
  private RedisAPI redis;
  private final String stream = "commbus-test-" + UUID.randomUUID();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    journal = await(FileJournal.open(vertx, new FileJournalOptions(dir.resolve("journal"))));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    client = Redis.createClient(vertx, REDIS);
    redis = RedisAPI.api(client);
    Future<Response> ping = redis.ping(List.of());
    try {
      ping.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("these tests need Redis at " + REDIS + " (apt-get install redis-server): " + e, e);
    }
  }

  @AfterEach
  void stop() {
    await(redis.del(List.of(stream)).recover(e -> Future.succeededFuture()));
    client.close();
    await(bus.close());
    await(journal.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }

  /** Asks again every 20 ms until {@code check} holds: the far side is another process. */
  private void until(Supplier<Future<Boolean>> check) {
    Promise<Void> held = Promise.promise();
    long deadline = System.currentTimeMillis() + 20_000;
    new Object() {
      void ask() {
        check.get().onComplete(ar -> {
          if (ar.succeeded() && ar.result()) {
            held.complete();
          } else if (System.currentTimeMillis() > deadline) {
            held.fail(new AssertionError("did not hold within 20 s"));
          } else {
            vertx.setTimer(20, t -> ask());
          }
        });
      }
    }.ask();
    await(held.future());
  }

  private Future<Boolean> streamHas(long entries) {
    return redis.xlen(stream).map(n -> n.toLong() >= entries);
  }

  private List<JsonObject> streamEntries() {
    List<JsonObject> entries = new ArrayList<>();
    for (Response entry : await(redis.xrange(List.of(stream, "-", "+")))) {
      JsonObject values = new JsonObject().put("entryId", entry.get(0).toString());
      Response fields = entry.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        values.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      entries.add(values);
    }
    return entries;
  }

  private List<JournalRecord> journalOf(String type) {
    return await(journal.read(1, 10_000, Set.of(type)));
  }

  @Test
  void eventsGoOutInJournalOrderAndAResumedBridgeLeavesNoGap() {
    FileCheckpointStore checkpoints = new FileCheckpointStore(vertx, dir.resolve("checkpoints"));
    for (int i = 0; i < 50; i++) {
      await(bus.publish(Message.event("orders.Placed", new JsonObject().put("n", i))));
    }
    await(bus.publish(Message.event("other.Thing", new JsonObject())));
    RedisStreamOut out = new RedisStreamOut(bus, redis, stream, Set.of("orders.Placed"), checkpoints);
    await(out.start());
    until(() -> streamHas(50));
    await(out.stop());
    for (int i = 50; i < 70; i++) {
      await(bus.publish(Message.event("orders.Placed", new JsonObject().put("n", i))));
    }

    RedisStreamOut resumed = new RedisStreamOut(bus, redis, stream, Set.of("orders.Placed"), checkpoints);
    await(resumed.start());
    until(() -> streamHas(70));
    await(resumed.stop());

    List<JsonObject> entries = streamEntries();
    assertEquals(70, entries.size(), "each event once, the other type left out: " + entries.size());
    List<JournalRecord> published = journalOf("orders.Placed");
    for (int i = 0; i < 70; i++) {
      JsonObject entry = entries.get(i);
      assertEquals(published.get(i).event().id(), entry.getString("id"), "in journal order");
      assertEquals(published.get(i).position(), Long.parseLong(entry.getString("position")));
      assertEquals(i, new JsonObject(entry.getString("body")).getInteger("n"));
    }
  }

  @Test
  void entriesComeInOnceEachAndAreAcknowledgedOnlyOnceJournaled() {
    for (int i = 0; i < 30; i++) {
      await(redis.xadd(List.of(stream, "*", "body", new JsonObject().put("n", i).encode())));
    }
    RedisStreamIn in = new RedisStreamIn(vertx, bus, redis, stream, "commbus", "node-a", "sensor.Reading");
    await(in.start());
    until(() -> journal.read(1, 10_000, Set.of("sensor.Reading")).map(records -> records.size() >= 30));
    until(() -> redis.xpending(List.of(stream, "commbus")).map(p -> p.get(0).toLong() == 0));
    await(in.stop());

    List<JournalRecord> journaled = journalOf("sensor.Reading");
    assertEquals(30, journaled.size());
    List<JsonObject> entries = streamEntries();
    for (int i = 0; i < 30; i++) {
      assertEquals("redis:" + stream + ":" + entries.get(i).getString("entryId"), journaled.get(i).event().id());
      assertEquals(i, ((JsonObject) journaled.get(i).event().body()).getInteger("n"));
    }
  }

  @Test
  void aCrashAfterTheJournalAndBeforeTheAcknowledgementGivesNoDuplicate() {
    for (int i = 0; i < 10; i++) {
      await(redis.xadd(List.of(stream, "*", "type", "sensor.Reading", "body", new JsonObject().put("n", i).encode())));
    }
    await(redis.xgroup(List.of("CREATE", stream, "commbus", "0", "MKSTREAM")));
    // What a bridge that crashed did: it read every entry (so they are pending), journaled the
    // first six with their entries' ids, and acknowledged none of them.
    Response read = await(redis.xreadgroup(List.of("GROUP", "commbus", "node-a", "COUNT", "100", "STREAMS", stream,
        ">")));
    Response entries = read.iterator().next();
    entries = entries.size() == 2 && entries.get(1).isArray() ? entries.get(1) : entries;
    int journaledBeforeCrash = 0;
    for (Response entry : entries) {
      if (journaledBeforeCrash++ < 6) {
        await(bus.publish(Message.event("sensor.Reading", new JsonObject().put("n", journaledBeforeCrash - 1))
            .withId("redis:" + stream + ":" + entry.get(0).toString())));
      }
    }
    assertEquals(6, journalOf("sensor.Reading").size());

    RedisStreamIn restarted = new RedisStreamIn(vertx, bus, redis, stream, "commbus", "node-a", "sensor.Reading");
    await(restarted.start());
    until(() -> redis.xpending(List.of(stream, "commbus")).map(p -> p.get(0).toLong() == 0));
    await(restarted.stop());

    List<JournalRecord> journaled = journalOf("sensor.Reading");
    Set<String> ids = new HashSet<>();
    journaled.forEach(r -> ids.add(r.event().id()));
    assertEquals(10, journaled.size(), "every entry once: " + journaled);
    assertEquals(10, ids.size());
    assertTrue(journaled.stream().allMatch(r -> r.event().id().startsWith("redis:" + stream + ":")));
  }
}
