package io.commbus.node;

import io.commbus.bus.Message;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Redis Streams bridges as a node's configuration starts them, against the real Redis. */
@Timeout(90)
class NodeRedisBridgesTest {

  @TempDir
  Path dir;
  private Node node;
  private Vertx vertx;
  private Redis client;
  private final String out = "commbus-node-out-" + UUID.randomUUID();
  private final String in = "commbus-node-in-" + UUID.randomUUID();

  @AfterEach
  void stop() {
    if (node != null) {
      await(node.stop());
    }
    if (client != null) {
      await(RedisAPI.api(client).del(List.of(out, in)).recover(e -> Future.succeededFuture()));
      client.close();
      await(vertx.close());
    }
  }

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

  @Test
  void theConfiguredBridgesCarryEventsOutAndEntriesInAndShowInHealth() throws Exception {
    vertx = Vertx.vertx();
    client = Redis.createClient(vertx, "redis://127.0.0.1:6379");
    RedisAPI redis = RedisAPI.api(client);
    try {
      redis.ping(List.of()).await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("this test needs Redis at 127.0.0.1:6379: " + e, e);
    }
    JsonObject config = TestConfigs.node(dir).put("redis", new JsonObject()
        .put("out", new JsonArray().add(new JsonObject().put("stream", out).put("types", new JsonArray().add("orders.Placed"))))
        .put("in", new JsonArray().add(new JsonObject().put("stream", in).put("type", "sensor.Reading"))));
    node = await(Node.start(TestConfigs.parse(config, dir), AdminServer::new));
    for (int i = 0; i < 10; i++) {
      await(node.bus().publish(Message.event("orders.Placed", new JsonObject().put("n", i))));
    }
    await(redis.xadd(List.of(in, "*", "body", new JsonObject().put("celsius", 21).encode())));

    until(() -> redis.xlen(out).map(n -> n.toLong() == 10));
    until(() -> node.journal().read(1, 100, Set.of("sensor.Reading")).map(r -> r.size() == 1));

    JsonArray bridges = new AdminHttp(node.adminUrl()).get("/health").json().getJsonArray("bridges");
    assertEquals(2, bridges.size(), bridges.encode());
    assertEquals("out", bridges.getJsonObject(0).getString("direction"));
    assertEquals(10L, bridges.getJsonObject(0).getLong("written"));
    assertEquals("in", bridges.getJsonObject(1).getString("direction"));
    assertEquals(1L, bridges.getJsonObject(1).getLong("published"));
  }

  @Test
  void aBridgeWithoutItsStreamIsRefusedNamingTheField() {
    JsonObject config = TestConfigs.node(dir).put("redis", new JsonObject()
        .put("in", new JsonArray().add(new JsonObject().put("type", "x.Y"))));
    ConfigException e = assertThrows(ConfigException.class, () -> TestConfigs.parse(config, dir));
    assertEquals("redis.in[0].stream", e.field());
  }
}
