package io.commbus.node;

import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.cli.Main;
import io.commbus.node.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Starting and stopping nodes: what a stop leaves behind (nothing), and starts that cannot succeed. */
@Timeout(120)
class NodeLifecycleTest {

  @TempDir
  Path dir;

  @Test
  void stoppingLeavesNoChildProcessNoSocketFileAndNoOpenPort() {
    Node node = await(Node.start(TestConfigs.parse(TestConfigs.node(dir)
        .put("pools", new JsonArray().add(TestConfigs.pool("echo", "test.Note", "note", 2))), dir), AdminServer::new));
    AdminHttp http = new AdminHttp(node.adminUrl());
    List<Long> pids = TestConfigs.pids(http.get("/processes").json(), "echo");
    assertEquals(2, pids.size());
    pids.forEach(pid -> assertTrue(TestConfigs.alive(pid)));
    assertFalse(TestConfigs.contents(dir.resolve("run")).isEmpty(), "the pool's sockets live under runtimeDirectory");

    await(node.stop());

    assertEquals(Node.State.STOPPED, node.state());
    pids.forEach(pid -> assertFalse(TestConfigs.alive(pid), "child " + pid + " is gone"));
    assertEquals(List.of(), TestConfigs.contents(dir.resolve("run")));
    assertThrows(UncheckedIOException.class, () -> http.get("/health"));
    assertTrue(node.whenStopped().succeeded());
    assertTrue(node.stop().succeeded(), "a second stop is the first one");
  }

  @Test
  void aPoolThatCannotStartFailsTheStartAndTheRestIsUndone() {
    JsonObject broken = TestConfigs.pool("broken", "test.Broken", "handle", 1).put("module", "no_such_module");
    NodeConfig config = TestConfigs.parse(TestConfigs.node(dir)
        .put("pools", new JsonArray().add(TestConfigs.pool("echo", "test.Note", "note", 2)).add(broken)), dir);

    Throwable failure = failure(Node.start(config, AdminServer::new));

    assertTrue(failure.getMessage().startsWith("pool broken could not start: "), failure.getMessage());
    assertTrue(failure.getMessage().contains("no_such_module"), failure.getMessage());
    assertEquals(List.of(), TestConfigs.contents(dir.resolve("run")), "the first pool's children were stopped");
    assertNoPythonChildren();
    // The journal was closed: it opens again.
    NodeConfig again = TestConfigs.parse(TestConfigs.node(dir), dir);
    await(await(Node.start(again, AdminServer::new)).stop());
  }

  @Test
  void aTakenAdminPortIsNamed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      NodeConfig config = TestConfigs.parse(TestConfigs.node(dir), dir).setAdminPort(taken.getLocalPort());

      Throwable failure = failure(Node.start(config, AdminServer::new));

      assertEquals("the admin port 127.0.0.1:" + taken.getLocalPort() + " is in use; set admin.port in the"
          + " configuration or pass --admin-port", failure.getMessage());
    }
  }

  @Test
  void aMissingCallbackHandlerClassFailsBeforeAnythingStarts() {
    NodeConfig config = TestConfigs.parse(TestConfigs.node(dir)
        .put("callbackHandlers", new JsonArray().add("com.example.Missing")), dir);

    Throwable failure = failure(Node.start(config, AdminServer::new));

    ConfigException error = assertInstanceOf(ConfigException.class, failure);
    assertEquals("callbackHandlers[0]", error.field());
    assertFalse(dir.resolve("journal").toFile().exists(), "nothing was opened");
  }

  @Test
  void theCommandLineSaysWhichFieldIsWrongAndExits2() {
    Path file = TestConfigs.write(dir, "node.json", TestConfigs.node(dir)
        .put("pools", new JsonArray().add(TestConfigs.pool("p", "t", "note", 0))));

    NodeTest.Cli run = NodeTest.cli("node", "--config", file.toString());

    assertEquals(Main.USAGE, run.status());
    assertEquals("commbus node: " + file + ": pools[0].size: must be at least 1, was 0", run.err().trim());

    Path handlers = TestConfigs.write(dir, "handlers.json", TestConfigs.node(dir)
        .put("callbackHandlers", new JsonArray().add("com.example.Missing")));
    NodeTest.Cli missing = NodeTest.cli("node", "--config", handlers.toString());
    assertEquals(Main.USAGE, missing.status());
    assertTrue(missing.err().contains("callbackHandlers[0]: no class com.example.Missing"), missing.err());
  }

  @Test
  void aNodeOnThePostgresJournal() {
    String table = "node_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    JsonObject json = TestConfigs.node(dir).put("journal", new JsonObject().put("type", "postgres").put("table", table));
    Node node;
    try {
      node = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
    } catch (RuntimeException e) {
      fail("this test needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test): " + e.getMessage(), e);
      return;
    }
    try {
      AdminHttp http = new AdminHttp(node.adminUrl());
      long position = http.post("/publish", new JsonObject().put("type", "test.Stored")
          .put("payload", new JsonObject().put("where", "postgres"))).json().getLong("position");

      JsonObject page = http.get("/journal?type=test.Stored").json();
      assertEquals(position, page.getJsonArray("events").getJsonObject(0).getLong("position"));
      JsonObject health = http.get("/health").json();
      assertEquals("postgres", health.getJsonObject("journal").getString("kind"));
      assertEquals("UP", health.getJsonObject("journal").getString("state"));
    } finally {
      await(node.stop());
      dropTable(table);
    }
  }

  private static void dropTable(String table) {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection connection = await(PgConnection.connect(vertx, new PostgresJournalOptions().getConnect()));
      await(connection.query("DROP TABLE IF EXISTS " + table + ", " + table + "_head").execute()
          .eventually(connection::close));
    } finally {
      await(vertx.close());
    }
  }

  private static Throwable failure(Future<?> future) {
    return await(future.transform(ar -> ar.succeeded() ? Future.failedFuture(new AssertionError("it started"))
        : Future.succeededFuture(ar.cause())));
  }

  /** No process of this JVM runs the Python child runtime any more. */
  static void assertNoPythonChildren() {
    List<ProcessHandle> children = ProcessHandle.current().descendants()
        .filter(p -> p.info().arguments().map(args -> String.join(" ", args).contains("commbus.child")).orElse(false))
        .filter(ProcessHandle::isAlive).toList();
    assertEquals(List.of(), children.stream().map(ProcessHandle::pid).toList(), "Python children still running");
  }
}
