package io.commbus.node;

import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.admin.PrometheusText;
import io.commbus.node.cli.Main;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node started in this JVM from a configuration, with two real Python pools (one serving as a
 * coordinator service and calling a callback handler loaded by class name), exercised through its
 * admin HTTP API and the command line, as an operator would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class NodeTest {

  private Node node;
  private AdminHttp http;

  @BeforeAll
  void startNode(@TempDir Path dir) {
    JsonObject json = TestConfigs.node(dir)
        .put("callbackHandlers", new JsonArray().add(SpreadCallback.class.getName()))
        .put("pools", new JsonArray().add(TestConfigs.pricing()).add(TestConfigs.pool("notes", "test.Note", "note", 1)));
    node = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
    http = new AdminHttp(node.adminUrl());
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void healthIsReadyWithEveryChild() {
    AdminHttp.Reply reply = http.get("/health");

    assertEquals(200, reply.status(), reply.body());
    assertTrue(reply.contentType().startsWith("application/json"), reply.contentType());
    JsonObject health = reply.json();
    assertEquals("UP", health.getString("status"));
    assertTrue(health.getBoolean("ready"));
    assertTrue(health.getBoolean("live"));
    assertEquals(new JsonObject().put("ready", 2).put("total", 2).put("state", "UP"),
        health.getJsonObject("pools").getJsonObject("pricing"));
    assertEquals(new JsonObject().put("ready", 1).put("total", 1).put("state", "UP"),
        health.getJsonObject("pools").getJsonObject("notes"));
    assertEquals("UP", health.getJsonObject("journal").getString("state"));
    assertEquals("file", health.getJsonObject("journal").getString("kind"));
    assertTrue(health.getJsonObject("coordinator").getBoolean("enabled"));
    assertFalse(health.getJsonObject("cluster").getBoolean("enabled"));
    assertEquals(new JsonArray(), health.getJsonArray("problems"));
  }

  @Test
  void metricsAreInThePrometheusFormat() {
    assertEquals(200, query("test.Quote", new JsonObject().put("symbol", "ACME")).status());
    long head = await(node.journal().lastPosition());

    AdminHttp.Reply reply = http.get("/metrics");

    assertEquals(200, reply.status());
    assertEquals(PrometheusText.CONTENT_TYPE, reply.contentType());
    String text = reply.body();
    List<String> lines = List.of(text.split("\n"));
    assertTrue(lines.contains("# TYPE commbus_pool_ready gauge"), text);
    assertTrue(lines.contains("commbus_pool_size{pool=\"pricing\"} 2"), text);
    assertTrue(lines.contains("commbus_pool_ready{pool=\"pricing\"} 2"), text);
    assertTrue(lines.contains("commbus_pool_ready{pool=\"notes\"} 1"), text);
    assertTrue(lines.contains("commbus_pool_in_flight{pool=\"pricing\"} 0"), text);
    assertTrue(lines.contains("commbus_pool_queued{pool=\"pricing\"} 0"), text);
    assertTrue(lines.contains("# TYPE commbus_pool_restarts_total counter"), text);
    assertTrue(lines.contains("commbus_pool_restarts_total{pool=\"pricing\"} 0"), text);
    assertTrue(lines.contains("commbus_pool_rejected_total{pool=\"notes\"} 0"), text);
    assertTrue(lines.contains("commbus_coordinator_services 1"), text);
    assertTrue(lines.contains("commbus_coordinator_services_healthy 1"), text);
    assertTrue(lines.contains("commbus_coordinator_load{service=\"pricing\"} 0"), text);
    assertTrue(lines.contains("commbus_coordinator_queued{service=\"pricing\"} 0"), text);
    assertTrue(lines.contains("# TYPE commbus_bus_handler_failures_total counter"), text);
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("commbus_bus_calls_total{category=\"query\",type=\"test.Quote\"} ")),
        text);
    long reported = lines.stream().filter(l -> l.startsWith("commbus_journal_head_position "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    assertTrue(reported >= head && head > 0, "head " + reported + " after " + head);
    for (String line : lines) {
      assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.matches("[a-z_]+(\\{.*})? [0-9.eE-]+"),
          () -> "not a Prometheus line: " + line);
    }
  }

  @Test
  void servicesListThePoolThatServesAsAService() {
    AdminHttp.Reply reply = http.get("/services");

    assertEquals(200, reply.status(), reply.body());
    JsonArray services = reply.json().getJsonArray("services");
    assertEquals(1, services.size(), services.encode());
    JsonObject pricing = services.getJsonObject(0);
    assertEquals("pricing", pricing.getString("name"));
    assertEquals("process-pool", pricing.getString("serviceType"));
    assertEquals(new JsonArray().add("quote"), pricing.getJsonArray("capabilities"));
    assertTrue(pricing.getBoolean("healthy"));
    assertEquals("test.Quote", pricing.getJsonObject("metadata").getString("type"));
  }

  @Test
  void processesListEveryChildWithItsPid() {
    AdminHttp.Reply reply = http.get("/processes");

    assertEquals(200, reply.status(), reply.body());
    JsonObject processes = reply.json();
    List<Long> pricing = TestConfigs.pids(processes, "pricing");
    assertEquals(2, pricing.size(), processes.encode());
    assertEquals(1, TestConfigs.pids(processes, "notes").size(), processes.encode());
    pricing.forEach(pid -> assertTrue(TestConfigs.alive(pid), "child " + pid + " runs"));
    JsonObject first = processes.getJsonArray("pools").getJsonObject(0);
    assertEquals("test.Quote", first.getString("type"));
    assertEquals("READY", first.getJsonArray("children").getJsonObject(0).getString("state"));
  }

  @Test
  void theJournalIsBrowsedByTypeAndPosition() {
    long a1 = publish("test.Browse.A", 1);
    publish("test.Browse.B", 2);
    long a2 = publish("test.Browse.A", 3);
    long a3 = publish("test.Browse.A", 4);

    JsonObject all = http.get("/journal?type=test.Browse.A").json();
    assertEquals(List.of(a1, a2, a3), positions(all));
    JsonObject event = all.getJsonArray("events").getJsonObject(0);
    assertEquals("test.Browse.A", event.getString("type"));
    assertEquals(new JsonObject().put("n", 1), event.getJsonObject("body"));
    assertTrue(event.getString("timestamp").endsWith("Z"), event.encode());
    assertTrue(event.getJsonObject("headers").containsKey("traceparent"), event.encode());

    assertEquals(List.of(a2, a3), positions(http.get("/journal?type=test.Browse.A&from=" + (a1 + 1)).json()));
    JsonObject page = http.get("/journal?type=test.Browse.A&limit=1&from=" + a2).json();
    assertEquals(List.of(a2), positions(page));
    assertEquals(a2 + 1, page.getLong("next"));
    assertEquals(3, positions(http.get("/journal?type=test.Browse.A,test.Browse.B&from=" + (a1 + 1)).json()).size());
    assertEquals(List.of(), positions(http.get("/journal?from=" + (a3 + 1000)).json()));

    AdminHttp.Reply bad = http.get("/journal?limit=0");
    assertEquals(400, bad.status());
    assertTrue(bad.json().getJsonObject("error").getString("message").startsWith("limit: must be a whole number"),
        bad.body());
    assertEquals(400, http.get("/journal?from=first").status());
  }

  @Test
  void aQueryReachesThePythonPoolWhichCallsTheConfiguredCallbackHandler() {
    AdminHttp.Reply reply = query("test.Quote", new JsonObject().put("symbol", "XYZ"));

    assertEquals(200, reply.status(), reply.body());
    JsonObject quote = reply.json().getJsonObject("reply");
    assertEquals("XYZ", quote.getString("symbol"));
    assertEquals(99.75, quote.getDouble("bid"));   // the spread of 0.5 came from SpreadCallback
    assertEquals(100.25, quote.getDouble("ask"));
    assertEquals("test", quote.getString("mode"));  // the pool's env reached the child
    List<Long> pids = TestConfigs.pids(http.get("/processes").json(), "pricing");
    assertTrue(pids.contains(quote.getLong("pid")), quote.encode());
  }

  @Test
  void failedCallsAnswerTheirErrorCodeWithAFittingStatus() {
    AdminHttp.Reply failed = query("test.Quote", new JsonObject().put("symbol", "BAD"));
    assertEquals(502, failed.status(), failed.body());
    JsonObject error = failed.json().getJsonObject("error");
    assertEquals("HANDLER_FAILED", error.getString("code"));
    assertEquals("ValueError", error.getString("remoteType"));

    AdminHttp.Reply nobody = query("test.Nobody", new JsonObject());
    assertEquals(404, nobody.status(), nobody.body());
    assertEquals("NO_HANDLER", nobody.json().getJsonObject("error").getString("code"));

    AdminHttp.Reply notJson = http.post("/query", "{type:");
    assertEquals(400, notJson.status(), notJson.body());
    assertEquals("INVALID_MESSAGE", notJson.json().getJsonObject("error").getString("code"));
    AdminHttp.Reply noType = http.post("/publish", new JsonObject().put("payload", new JsonObject()));
    assertEquals(400, noType.status(), noType.body());
    assertTrue(noType.json().getJsonObject("error").getString("message").startsWith("type: required"), noType.body());
    AdminHttp.Reply timeoutOnPublish = http.post("/publish", new JsonObject().put("type", "t").put("timeoutMs", 5));
    assertEquals(400, timeoutOnPublish.status(), timeoutOnPublish.body());
    assertTrue(timeoutOnPublish.json().getJsonObject("error").getString("message").startsWith("timeoutMs: unknown field"));

    AdminHttp.Reply unknownPath = http.get("/nope");
    assertEquals(404, unknownPath.status());
    assertEquals("NOT_FOUND", unknownPath.json().getJsonObject("error").getString("code"));
    AdminHttp.Reply wrongMethod = http.get("/publish");
    assertEquals(405, wrongMethod.status());
    assertTrue(wrongMethod.json().getJsonObject("error").getString("message").startsWith("/publish takes POST, not GET"),
        wrongMethod.body());
  }

  @Test
  void aSendReachesItsHandler() {
    Promise<Message> noted = Promise.promise();
    Registration subscription = node.bus().subscribe("test.Noted", noted::tryComplete);
    try {
      await(subscription.ready());
      AdminHttp.Reply reply = http.post("/send", new JsonObject().put("type", "test.Note")
          .put("payload", new JsonObject().put("text", "over HTTP")));

      assertEquals(200, reply.status(), reply.body());
      assertEquals(new JsonObject().put("sent", true), reply.json());
      assertEquals("over HTTP", await(noted.future()).json().getString("text"));
    } finally {
      await(subscription.unregister());
    }
  }

  // ------------------------------------------------------------------ the command line against the node

  @Test
  void theCommandLineQueriesPublishesAndSends() {
    Cli query = cli("query", "test.Quote", "{\"symbol\":\"CLI\"}", "--node", node.adminUrl(), "--timeout", "10s");
    assertEquals(0, query.status, query.err);
    JsonObject answer = new JsonObject(query.out.trim());
    assertEquals("CLI", answer.getJsonObject("reply").getString("symbol"));

    Cli publish = cli("publish", "test.FromCli", "{\"n\":7}", "--node", node.adminUrl(), "--meta", "tenant=blue");
    assertEquals(0, publish.status, publish.err);
    long position = new JsonObject(publish.out.trim()).getLong("position");
    JsonObject page = http.get("/journal?type=test.FromCli").json();
    JsonObject event = page.getJsonArray("events").getJsonObject(0);
    assertEquals(position, event.getLong("position"));
    assertEquals(7, event.getJsonObject("body").getInteger("n"));
    assertTrue(event.getJsonObject("headers").encode().contains("blue"), event.encode());

    Promise<Message> noted = Promise.promise();
    Registration subscription = node.bus().subscribe("test.Noted", m -> {
      if ("from the CLI".equals(m.json().getString("text"))) {
        noted.tryComplete(m);
      }
    });
    try {
      await(subscription.ready());
      Cli send = cliWithInput("{\"text\":\"from the CLI\"}", "send", "test.Note", "-", "--node", node.adminUrl());
      assertEquals(0, send.status, send.err);
      assertEquals("{\"sent\":true}", send.out.trim());
      await(noted.future());
    } finally {
      await(subscription.unregister());
    }
  }

  @Test
  void theCommandLineReportsFailuresWithTheirCode() {
    Cli nobody = cli("query", "test.Nobody", "{}", "--node", node.adminUrl());
    assertEquals(1, nobody.status);
    assertTrue(nobody.err.startsWith("commbus query: NO_HANDLER: "), nobody.err);

    Cli failed = cli("query", "test.Quote", "{\"symbol\":\"BAD\"}", "--node", node.adminUrl());
    assertEquals(1, failed.status);
    assertTrue(failed.err.startsWith("commbus query: HANDLER_FAILED: "), failed.err);
    assertTrue(failed.err.contains("[ValueError]"), failed.err);
    assertTrue(failed.err.contains("cannot price BAD"), failed.err);

    Cli badJson = cli("publish", "test.X", "{not json", "--node", node.adminUrl());
    assertEquals(Main.USAGE, badJson.status);
    assertTrue(badJson.err.contains("the payload must be a JSON object"), badJson.err);
  }

  private AdminHttp.Reply query(String type, JsonObject payload) {
    return http.post("/query", new JsonObject().put("type", type).put("payload", payload).put("timeoutMs", 10_000));
  }

  private long publish(String type, int n) {
    AdminHttp.Reply reply = http.post("/publish", new JsonObject().put("type", type)
        .put("payload", new JsonObject().put("n", n)));
    assertEquals(200, reply.status(), reply.body());
    return reply.json().getLong("position");
  }

  private static List<Long> positions(JsonObject page) {
    return page.getJsonArray("events").stream().map(e -> ((JsonObject) e).getLong("position")).toList();
  }

  /** What one run of the command line printed and returned. */
  record Cli(int status, String out, String err) {
  }

  static Cli cli(String... args) {
    return cliWithInput("", args);
  }

  static Cli cliWithInput(String stdin, String... args) {
    return run(new Main(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8))), args);
  }

  /** With {@code environment} as the whole environment the command sees. */
  static Cli cliWithEnvironment(Map<String, String> environment, String... args) {
    return run(new Main(new ByteArrayInputStream(new byte[0]), environment), args);
  }

  private static Cli run(Main main, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = main.run(List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Cli(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
