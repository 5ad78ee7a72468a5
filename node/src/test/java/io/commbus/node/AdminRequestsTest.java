package io.commbus.node;

import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.cli.Main;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests the admin API must refuse in its own JSON words: malformed ones, and timeouts beyond the bound. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class AdminRequestsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private Node node;

  @BeforeAll
  void startNode(@TempDir Path dir) {
    node = await(Node.start(TestConfigs.parse(TestConfigs.node(dir), dir), AdminServer::new));
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void aBadlyEncodedQueryStringAnswersTheJsonError() {
    RawHttp.Reply reply = get("/journal?x=%ZZ");

    assertEquals(400, reply.status(), reply.body());
    JsonObject error = reply.json().getJsonObject("error");
    assertEquals("INVALID_MESSAGE", error.getString("code"));
    assertTrue(error.getString("message").contains("query string"), reply.body());
  }

  @Test
  void aBadlyEncodedPathAnswersTheJsonError() {
    RawHttp.Reply reply = get("/jour%ZZnal");

    assertEquals(400, reply.status(), reply.body());
    assertEquals("INVALID_MESSAGE", reply.json().getJsonObject("error").getString("code"), reply.body());
  }

  @Test
  void aRequestHttpCannotParseAnswersTheJsonError() {
    try (RawHttp raw = RawHttp.connect(node.adminPort())) {
      raw.write("GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nthis is no header\r\n\r\n");
      RawHttp.Reply reply = raw.read(WAIT);

      assertEquals(400, reply.status(), reply.body());
      assertEquals("INVALID_MESSAGE", reply.json().getJsonObject("error").getString("code"), reply.body());
    }
    RawHttp.Reply tooLong = get("/health?pad=" + "x".repeat(10_000));
    assertEquals(414, tooLong.status(), tooLong.body());
    assertEquals("INVALID_MESSAGE", tooLong.json().getJsonObject("error").getString("code"), tooLong.body());
  }

  @Test
  void aQueryTimeoutBeyondTheBoundIsRefusedSayingTheBound() {
    long max = CommBusOptions.MAX_TIMEOUT.toMillis();
    AdminHttp http = new AdminHttp(node.adminUrl());

    AdminHttp.Reply absurd = http.post("/query", new JsonObject().put("type", "test.Nobody")
        .put("timeoutMs", 9_000_000_000_000_000L));

    assertEquals(400, absurd.status(), absurd.body());
    JsonObject error = absurd.json().getJsonObject("error");
    assertEquals("INVALID_MESSAGE", error.getString("code"));
    assertEquals("timeoutMs: must be at most " + max + ", was 9000000000000000", error.getString("message"));
    AdminHttp.Reply atTheBound = http.post("/query", new JsonObject().put("type", "test.Nobody").put("timeoutMs", max));
    assertEquals("NO_HANDLER", atTheBound.json().getJsonObject("error").getString("code"), atTheBound.body());
  }

  @Test
  void theCommandLineRefusesATimeoutBeyondTheBound() {
    NodeTest.Cli run = NodeTest.cli("query", "test.Nobody", "{}", "--node", node.adminUrl(), "--timeout", "2h");

    assertEquals(Main.USAGE, run.status(), run.err());
    assertTrue(run.err().startsWith("commbus query: --timeout wants a duration of at most 1h"), run.err());
  }

  @Test
  void aCallContinuesTheTraceOfItsRequestsTraceparent() throws Exception {
    CompletableFuture<String> seen = new CompletableFuture<>();
    await(node.bus().registerHandler("test.Traced", (Message query) -> {
      seen.complete(query.traceparent());
      return Future.succeededFuture(new JsonObject());
    }));
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    AdminHttp http = new AdminHttp("http://127.0.0.1:" + node.adminPort());

    AdminHttp.Reply reply = http.post("/query", new JsonObject().put("type", "test.Traced"),
        "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

    assertEquals(200, reply.status(), reply.body());
    String carried = seen.get(10, TimeUnit.SECONDS);
    assertEquals(traceId, carried.split("-")[1], "the handler's message is in the caller's trace: " + carried);
  }

  private RawHttp.Reply get(String target) {
    try (RawHttp raw = RawHttp.connect(node.adminPort())) {
      return raw.get(target).read(WAIT);
    }
  }
}
