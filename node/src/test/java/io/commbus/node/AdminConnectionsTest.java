package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.AdminOptions;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API's connection limits, over real sockets: a request must arrive whole within the
 * request timeout, a kept-alive connection is closed once idle for the idle timeout, and
 * connections over the limit are closed while the ones held are still answered.
 */
@Timeout(60)
class AdminConnectionsTest {

  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(500);
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1500);
  private static final int MAX_CONNECTIONS = 3;
  /** Far beyond either timeout: a connection still open by then is held forever as far as a test can tell. */
  private static final Duration HELD = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  private Node node;
  private final List<RawHttp> sockets = new ArrayList<>();

  private Node start(JsonObject admin) {
    JsonObject json = TestConfigs.node(dir);
    json.getJsonObject("admin").mergeIn(admin);
    node = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
    return node;
  }

  private Node startWithLimits() {
    return start(new JsonObject().put("requestTimeout", REQUEST_TIMEOUT.toMillis() + "ms")
        .put("idleTimeout", IDLE_TIMEOUT.toMillis() + "ms").put("maxConnections", MAX_CONNECTIONS));
  }

  private RawHttp connect() {
    RawHttp socket = RawHttp.connect(node.adminPort());
    sockets.add(socket);
    return socket;
  }

  @AfterEach
  void stop() {
    sockets.forEach(RawHttp::close);
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void theLimitsHaveDefaults() {
    AdminOptions admin = TestConfigs.parse(TestConfigs.node(dir), dir).getAdmin();

    assertEquals(AdminOptions.DEFAULT_IDLE_TIMEOUT, admin.getIdleTimeout());
    assertEquals(AdminOptions.DEFAULT_REQUEST_TIMEOUT, admin.getRequestTimeout());
    assertEquals(AdminOptions.DEFAULT_MAX_CONNECTIONS, admin.getMaxConnections());
  }

  @Test
  void halfARequestIsCutOffAfterTheRequestTimeout() {
    startWithLimits();
    RawHttp headers = connect().write("GET /health HTTP/1.1\r\nhost: 127.");
    RawHttp body = connect().write("POST /publish HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        + "content-length: 100\r\n\r\n{\"type\": ");

    Duration headersClosed = headers.closedWithin(HELD);
    RawHttp.Reply cut = body.read(HELD);

    assertNotNull(headersClosed, "half the headers held the connection open");
    assertTrue(headersClosed.compareTo(REQUEST_TIMEOUT.minusMillis(100)) >= 0, "closed after " + headersClosed);
    assertTrue(headersClosed.compareTo(IDLE_TIMEOUT) < 0, "closed by the request timeout, not the idle one: "
        + headersClosed);
    assertEquals(408, cut.status(), cut.body());
    assertEquals("INVALID_MESSAGE", cut.json().getJsonObject("error").getString("code"), cut.body());
    assertNotNull(body.closedWithin(HELD), "the connection of the cut-off request is closed");
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout() {
    startWithLimits();
    RawHttp socket = connect();
    assertEquals(200, socket.get("/health").read(HELD).status());

    Duration closed = socket.closedWithin(HELD);

    assertNotNull(closed, "the idle connection was held open");
    assertTrue(closed.compareTo(IDLE_TIMEOUT.minusMillis(100)) >= 0, "closed after " + closed);
  }

  @Test
  void aLongCallIsNotCutOffByEitherTimeout() {
    startWithLimits();
    RawHttp socket = connect();
    long waitMs = IDLE_TIMEOUT.toMillis() + 1000;
    String body = new JsonObject().put("type", "test.Nobody.Slow").put("timeoutMs", waitMs).encode();
    node.bus().registerHandler("test.Nobody.Slow", m -> {
      Promise<Object> later = Promise.promise();
      node.vertx().setTimer(waitMs - 500, t -> later.complete(new JsonObject().put("late", true)));
      return later.future();
    }).await();   // a test thread, not an event loop

    socket.write("POST /query HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: "
        + body.length() + "\r\n\r\n" + body);
    RawHttp.Reply reply = socket.read(HELD);

    assertEquals(200, reply.status(), reply.body());
    assertEquals(new JsonObject().put("late", true), reply.json().getJsonObject("reply"));
  }

  @Test
  void connectionsOverTheLimitAreClosedWhileTheHeldOnesAreAnswered() {
    // The default timeouts: the held connections must stay open however slowly this test runs.
    start(new JsonObject().put("maxConnections", MAX_CONNECTIONS));
    List<RawHttp> held = new ArrayList<>();
    for (int i = 0; i < MAX_CONNECTIONS; i++) {
      RawHttp socket = connect();
      assertEquals(200, socket.get("/health").read(HELD).status(), "connection " + i);
      held.add(socket);
    }

    RawHttp over = connect();

    assertNotNull(over.closedWithin(HELD), "a connection over the limit was kept");
    for (RawHttp socket : held) {
      assertEquals(200, socket.get("/health").read(HELD).status(), "a held connection is still answered");
    }
    held.get(0).close();
    assertEquals(200, awaitAccepted().get("/health").read(HELD).status());
  }

  @Test
  void badLimitsAreRefusedNamingTheField() {
    for (JsonObject admin : List.of(new JsonObject().put("idleTimeout", "0s"), new JsonObject().put("requestTimeout", "2h"),
        new JsonObject().put("maxConnections", 0))) {
      JsonObject json = TestConfigs.node(dir);
      json.getJsonObject("admin").mergeIn(admin);
      ConfigException error = assertThrows(ConfigException.class, () -> TestConfigs.parse(json, dir));
      assertEquals("admin." + admin.fieldNames().iterator().next(), error.field(), error.getMessage());
    }
  }

  /**
   * A connection that is answered, once a slot is free: the server learns of a client's close a
   * moment after it, and until then closes new ones.
   */
  private RawHttp awaitAccepted() {
    long deadline = System.nanoTime() + HELD.toNanos();
    while (System.nanoTime() < deadline) {
      RawHttp socket = connect();
      try {
        assertEquals(200, socket.get("/health").read(HELD).status());
        return socket;
      } catch (UncheckedIOException refused) {
        // closed before it was answered: still over the limit
      }
    }
    throw new AssertionError("no connection was answered once one was freed");
  }
}
