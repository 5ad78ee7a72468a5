package io.commbus.node;

import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.node.admin.AdminServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two nodes started from configurations with clustering on (Hazelcast over TCP-IP on 127.0.0.1)
 * and one PostgreSQL journal: a query made through one node's admin API reaches the Python
 * pool on the other, and both list the same services.
 */
@Timeout(180)
class ClusteredNodeTest {

  @TempDir
  Path dir;

  private final String table = "node_cluster_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private Node withPool;
  private Node withoutPool;

  @AfterEach
  void stopNodes() {
    if (withoutPool != null) {
      await(withoutPool.stop());
    }
    if (withPool != null) {
      await(withPool.stop());
    }
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection connection = await(PgConnection.connect(vertx, new PostgresJournalOptions().getConnect()));
      await(connection.query("DROP TABLE IF EXISTS " + table + ", " + table + "_head").execute()
          .eventually(connection::close));
    } finally {
      await(vertx.close());
    }
  }

  private JsonObject clusteredNode(Path nodeDir, String clusterName) {
    return TestConfigs.node(nodeDir)
        .put("journal", new JsonObject().put("type", "postgres").put("table", table))
        .put("cluster", new JsonObject().put("enabled", true).put("name", clusterName).put("host", "127.0.0.1")
            .put("members", new JsonArray().add("127.0.0.1")));
  }

  @Test
  void aQueryThroughOneNodeReachesThePoolOnTheOther() {
    String cluster = "commbus-node-test-" + UUID.randomUUID();
    JsonObject a = clusteredNode(dir.resolve("a"), cluster)
        .put("callbackHandlers", new JsonArray().add(SpreadCallback.class.getName()))
        // One child: two children becoming ready at once on a clustered bus both register the pool's
        // handler (ProcessVerticle.childReady), and the second registration fails the start.
        .put("pools", new JsonArray().add(TestConfigs.pricing().put("size", 1)));
    try {
      withPool = await(Node.start(TestConfigs.parse(a, dir), AdminServer::new));
    } catch (RuntimeException e) {
      fail("this test needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test): " + e.getMessage(), e);
    }
    withoutPool = await(Node.start(TestConfigs.parse(clusteredNode(dir.resolve("b"), cluster), dir),
        AdminServer::new));
    AdminHttp b = new AdminHttp(withoutPool.adminUrl());

    JsonObject health = b.get("/health").json();
    assertTrue(health.getBoolean("ready"), health.encode());
    assertEquals(2, health.getJsonObject("cluster").getInteger("members"), health.encode());
    JsonArray services = b.get("/services").json().getJsonArray("services");
    assertEquals("pricing", services.getJsonObject(0).getString("name"), services.encode());

    AdminHttp.Reply reply = b.post("/query", new JsonObject().put("type", "test.Quote")
        .put("payload", new JsonObject().put("symbol", "FAR")).put("timeoutMs", 10_000));

    assertEquals(200, reply.status(), reply.body());
    JsonObject quote = reply.json().getJsonObject("reply");
    assertEquals("FAR", quote.getString("symbol"));
    List<Long> pids = TestConfigs.pids(new AdminHttp(withPool.adminUrl()).get("/processes").json(), "pricing");
    assertTrue(pids.contains(quote.getLong("pid")), quote.encode());
    assertEquals(List.of(), TestConfigs.pids(b.get("/processes").json(), "pricing"), "node b runs no children");
  }
}
