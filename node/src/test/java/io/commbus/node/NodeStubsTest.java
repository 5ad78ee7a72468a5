package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.cli.Main;
import io.commbus.process.stubs.PythonStubs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code commbus stubs}: from a configuration, from a running node, and a pool type that does not load. */
@Timeout(120)
class NodeStubsTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int stubs(String... args) {
    out.reset();
    err.reset();
    return new Main(new ByteArrayInputStream(new byte[0]), Map.of()).run(
        java.util.stream.Stream.concat(java.util.stream.Stream.of("stubs"), java.util.Arrays.stream(args)).toList(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** The demo's callback handlers, and a pool whose requests and replies are typed. */
  private static JsonObject config(Path dir) {
    return TestConfigs.node(dir)
        .put("callbackHandlers", new JsonArray().add("io.commbus.node.demo.MarketDataHandler")
            .add("io.commbus.node.demo.PositionCheckHandler"))
        .put("pools", new JsonArray().add(TestConfigs.pool("trading", "trading.ExecuteTrade", "echo", 1)
            .put("requestType", "io.commbus.node.demo.MarketDataHandler$PricePoint")
            .put("replyType", "io.commbus.node.demo.PositionCheckHandler$Verdict")));
  }

  @Test
  void fromAConfigurationItWritesTheSdkTheTypesAndTheTypedCallbacks(@TempDir Path dir) throws Exception {
    Path file = TestConfigs.write(dir, "node.json", config(dir));
    Path stubs = dir.resolve("stubs");

    assertEquals(0, stubs("--config", file.toString(), "--out", stubs.toString()), err.toString());

    assertTrue(Files.exists(stubs.resolve("commbus/__init__.py")), "the SDK is copied");
    String types = Files.readString(stubs.resolve(PythonStubs.TYPES_MODULE + ".py"));
    assertTrue(types.contains("class PricePoint(TypedDict):"), types);
    assertTrue(types.contains("TradingRequest = PricePoint\nTradingReply = VerdictInput"), types);
    String callbacks = Files.readString(stubs.resolve(PythonStubs.CALLBACKS_STUB));
    assertTrue(callbacks.contains("def MarketData("), callbacks);
    assertTrue(callbacks.contains(") -> ItemStream[Verdict]: ..."), callbacks);
    assertTrue(out.toString().contains("MYPYPATH=" + stubs), out.toString());
  }

  @Test
  void aRunningNodeGivesTheSameStubs(@TempDir Path dir) throws Exception {
    Path file = TestConfigs.write(dir, "node.json", config(dir));
    assertEquals(0, stubs("--config", file.toString(), "--out", dir.resolve("offline").toString(), "--dataclasses"),
        err.toString());
    Node node = await(Node.start(TestConfigs.parse(config(dir), dir), AdminServer::new));
    try {
      assertEquals(0, stubs("--node", "http://127.0.0.1:" + node.adminPort(), "--out", dir.resolve("live").toString(),
          "--dataclasses"), err.toString());
    } finally {
      await(node.stop());
    }
    for (String name : List.of(PythonStubs.TYPES_MODULE + ".py", PythonStubs.CALLBACKS_STUB)) {
      // The same but for the first line, which names where they came from.
      assertEquals(withoutFirstLine(dir.resolve("offline").resolve(name)), withoutFirstLine(dir.resolve("live")
          .resolve(name)), name);
    }
    assertTrue(Files.readString(dir.resolve("live").resolve(PythonStubs.TYPES_MODULE + ".py")).contains(
        "class PricePointData:"), "--dataclasses reaches the node");
  }

  @Test
  void aPoolTypeThatDoesNotLoadIsAConfigurationErrorNamingIt(@TempDir Path dir) {
    JsonObject config = config(dir);
    config.getJsonArray("pools").getJsonObject(0).put("replyType", "trading.NoSuchReply");

    Throwable failed = Node.start(TestConfigs.parse(config, dir), AdminServer::new)
        .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())).await();
    ConfigException refused = assertInstanceOf(ConfigException.class, failed);
    assertEquals("pools[0].replyType", refused.field());
    assertTrue(refused.getMessage().contains("no class trading.NoSuchReply on the class path"), refused.getMessage());

    assertEquals(1, stubs("--config", TestConfigs.write(dir, "node.json", config).toString(), "--out",
        dir.resolve("stubs").toString()));
    assertTrue(err.toString().contains("pools[0].replyType"), err.toString());
  }

  private static String withoutFirstLine(Path file) throws Exception {
    String text = Files.readString(file);
    return text.substring(text.indexOf('\n'));
  }
}
