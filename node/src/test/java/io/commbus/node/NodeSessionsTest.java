package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.cli.Main;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node's pipeline sessions through its configuration, its admin API and {@code commbus session}. */
@Timeout(120)
class NodeSessionsTest {

  @TempDir
  Path dir;
  private Node node;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private static JsonObject config(Path dir) {
    return TestConfigs.node(dir)
        .put("sessions", new JsonObject().put("pythonPath", new JsonArray().add(TestConfigs.PYTHON.toString()))
            .put("shutdownGrace", "2s").put("maxSessions", 4))
        .put("pipelines", new JsonArray()
            .add(new JsonObject().put("name", "relay").put("nodes", new JsonArray()
                .add(new JsonObject().put("id", "relay").put("python", "node_pipeline:relay"))))
            .add(new JsonObject().put("name", "ticks").put("nodes", new JsonArray()
                .add(new JsonObject().put("id", "tick").put("python", "node_pipeline:ticks").put("inputs",
                    new JsonArray())))));
  }

  @BeforeEach
  void startNode() {
    node = await(Node.start(TestConfigs.parse(config(dir), dir), AdminServer::new));
  }

  @AfterEach
  void stopNode() {
    await(node.stop());
  }

  private int session(String... args) {
    out.reset();
    err.reset();
    return new Main(new ByteArrayInputStream(new byte[0]), Map.of()).run(
        Stream.concat(Stream.of("session"), Stream.concat(Stream.of(args),
            Stream.of("--node", "http://127.0.0.1:" + node.adminPort()))).toList(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private HttpResponse<String> http(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCommandLineCreatesListsShowsAndTerminatesASession() {
    assertEquals(0, session("create", "--pipeline", "ticks", "--id", "n1"), err.toString());
    assertTrue(out.toString().contains("session n1 of pipeline ticks is running: 1 nodes ready in"), out.toString());
    assertTrue(out.toString().contains("outputs: tick.out"), out.toString());

    assertEquals(0, session("list"), err.toString());
    assertTrue(out.toString().lines().anyMatch(l -> l.startsWith("n1 ") && l.contains("ticks") && l.contains("running")),
        out.toString());
    assertEquals(0, session("status", "n1"), err.toString());
    assertEquals("running", new JsonObject(out.toString()).getString("state"));

    assertEquals(0, session("terminate", "n1"), err.toString());
    assertEquals("terminated", new JsonObject(out.toString()).getString("outcome"));
    assertEquals(1, session("status", "n1"));
    assertTrue(err.toString().contains("SESSION_NOT_FOUND: no session n1 runs"), err.toString());
    assertEquals(0, session("list"));
    assertTrue(out.toString().contains("no sessions run on the node"), out.toString());
  }

  @Test
  void aSpecFileIsCheckedBeforeItIsSentAndTheNodesRefusalsAreSaid() throws Exception {
    Path good = Files.writeString(dir.resolve("relay.yaml"), "name: inline\nnodes:\n"
        + "  - { id: relay, python: \"node_pipeline:relay\" }\n");
    assertEquals(0, session("create", "--spec", good.toString()), err.toString());
    assertTrue(out.toString().matches("(?s)session inline-[0-9a-f]{6} of pipeline inline is running.*"),
        out.toString());

    Path bad = Files.writeString(dir.resolve("bad.yaml"), "name: bad\nnodes:\n  - { id: a, python: \"m:f\" }\n"
        + "connections:\n  - { from: a, to: b }\n");
    assertEquals(Main.USAGE, session("create", "--spec", bad.toString()));
    assertTrue(err.toString().contains("connections[0].to: no node \"b\""), err.toString());

    Path broken = Files.writeString(dir.resolve("broken.yaml"), "name: broken\nnodes:\n"
        + "  - { id: n, python: \"no_such_module:f\" }\n");
    assertEquals(1, session("create", "--spec", broken.toString(), "--id", "b1"));
    assertTrue(err.toString().contains("NODE_CRASHED") && err.toString().contains("no_such_module"), err.toString());
    assertEquals(2, session("create", "--pipeline", "relay", "--spec", good.toString()));
  }

  @Test
  void theAdminApiAnswersSessionsWithTheStatusThatFitsEachOutcome() throws Exception {
    HttpResponse<String> created = http("POST", "/sessions", new JsonObject().put("id", "h1").put("pipeline", "relay")
        .encode());
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("relay.in", new JsonObject(created.body()).getJsonArray("inputs").getString(0));
    HttpResponse<String> listed = http("GET", "/sessions", null);
    assertEquals("h1", new JsonObject(listed.body()).getJsonArray("sessions").getJsonObject(0).getString("id"));
    assertEquals(200, http("GET", "/sessions/h1", null).statusCode());
    assertEquals(200, http("DELETE", "/sessions/h1", null).statusCode());
    HttpResponse<String> gone = http("DELETE", "/sessions/h1", null);
    assertEquals(404, gone.statusCode());
    assertEquals("SESSION_NOT_FOUND", new JsonObject(gone.body()).getJsonObject("error").getString("code"));

    assertEquals(400, http("POST", "/sessions", "not json").statusCode());
    HttpResponse<String> unknown = http("POST", "/sessions", new JsonObject().put("id", "h2").put("pipeline", "nope")
        .encode());
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().contains("no pipeline nope is configured (there are relay, ticks)"), unknown.body());
  }

  @Test
  void theConfigurationRefusesTwoPipelinesOfOneNameAndUnknownSessionSettings() {
    JsonObject twice = config(dir);
    twice.getJsonArray("pipelines").getJsonObject(1).put("name", "relay");
    ConfigException duplicate = assertThrows(ConfigException.class, () -> TestConfigs.parse(twice, dir));
    assertEquals("pipelines[1].name", duplicate.field());

    JsonObject unknown = config(dir);
    unknown.getJsonObject("sessions").put("maxSession", 3);
    ConfigException typo = assertThrows(ConfigException.class, () -> TestConfigs.parse(unknown, dir));
    assertTrue(typo.getMessage().contains("maxSession"), typo.getMessage());
  }
}
