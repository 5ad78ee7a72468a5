package io.commbus.node;

import io.commbus.bus.Message;
import io.commbus.node.admin.AdminServer;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API's streams, {@code POST /queryStream} and {@code GET /subscribe}, read as a
 * client reads them: a Python pool's streamed answer line by line, as NDJSON and as
 * Server-Sent Events; a client that leaves cancels the handler; events live and from a journal
 * position; a subscriber that stops reading is let go.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class AdminStreamsTest {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Node node;
  private String base;
  private final Promise<Void> endlessCancelled = Promise.promise();

  @BeforeAll
  void startNode(@TempDir Path dir) {
    JsonObject config = TestConfigs.node(dir).put("pools", new JsonArray()
        .add(TestConfigs.pool("counter", "test.Count", "count", 1)));
    node = await(Node.start(TestConfigs.parse(config, dir), AdminServer::new));
    base = "http://127.0.0.1:" + node.adminPort();
    // A Java stream that never ends by itself: a tick every 10 ms until its consumer cancels.
    await(node.bus().registerStreamHandler("test.Endless", (query, sink) -> {
      long timer = node.vertx().setPeriodic(10, id -> sink.write(new JsonObject().put("tick", true)));
      sink.cancelHandler(v -> {
        node.vertx().cancelTimer(timer);
        endlessCancelled.tryComplete();
      });
    }));
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  private HttpResponse<Stream<String>> open(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofLines());
  }

  private HttpRequest.Builder queryStream(JsonObject body) {
    return HttpRequest.newBuilder(URI.create(base + "/queryStream")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
  }

  @Test
  void aStreamedAnswerComesAsOneJsonLinePerItemThenItsEnd() throws Exception {
    HttpResponse<Stream<String>> response = open(queryStream(new JsonObject().put("type", "test.Count")
        .put("payload", new JsonObject().put("n", 4))));

    assertEquals(200, response.statusCode());
    assertEquals("application/x-ndjson", response.headers().firstValue("content-type").orElse(""));
    List<String> lines = response.body().toList();
    assertEquals(List.of("{\"item\":{\"i\":0}}", "{\"item\":{\"i\":1}}", "{\"item\":{\"i\":2}}",
        "{\"item\":{\"i\":3}}", "{\"end\":{\"items\":4}}"), lines);
  }

  @Test
  void aClientThatAsksForServerSentEventsGetsThem() throws Exception {
    HttpResponse<Stream<String>> response = open(queryStream(new JsonObject().put("type", "test.Count")
        .put("payload", new JsonObject().put("n", 2))).header("accept", "text/event-stream"));

    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElse(""));
    assertEquals(List.of("event: item", "data: {\"i\":0}", "", "event: item", "data: {\"i\":1}", "",
        "event: end", "data: {\"items\":2}", ""), response.body().toList());
  }

  @Test
  void aStreamThatCannotOpenIsAnsweredLikeAnyFailedCall() throws Exception {
    HttpResponse<String> response = http.send(queryStream(new JsonObject().put("type", "test.Nobody")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(404, response.statusCode(), response.body());
    assertEquals("NO_HANDLER", new JsonObject(response.body()).getJsonObject("error").getString("code"));
  }

  @Test
  void aClientThatGoesAwayCancelsTheStreamAtItsHandler() throws Exception {
    String body = new JsonObject().put("type", "test.Endless").put("timeoutMs", 60_000).encode();
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), node.adminPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /queryStream HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
          + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      socket.setSoTimeout(10_000);
      awaitText(socket.getInputStream(), "{\"item\":{\"tick\":true}}", 3);
    }

    // Closed after three ticks: the handler hears the cancel.
    endlessCancelled.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aSubscriberFromAPositionGetsTheJournalThenLiveEventsWithNoGapAndNoDuplicate() throws Exception {
    String type = "test.Followed" + UUID.randomUUID().toString().substring(0, 8);
    List<Long> before = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      before.add(await(node.bus().publish(Message.event(type, new JsonObject().put("n", i)))));
    }
    HttpResponse<Stream<String>> response = open(HttpRequest.newBuilder(
        URI.create(base + "/subscribe?type=" + type + "&from=" + before.get(0))).GET());
    assertEquals(200, response.statusCode());
    Iterator<String> lines = response.body().iterator();
    List<JsonObject> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(new JsonObject(lines.next()).getJsonObject("event"));
    }
    for (int i = 3; i < 5; i++) {
      await(node.bus().publish(Message.event(type, new JsonObject().put("n", i))));
      seen.add(new JsonObject(lines.next()).getJsonObject("event"));
    }
    response.body().close();

    for (int i = 0; i < 5; i++) {
      assertEquals(i, seen.get(i).getJsonObject("body").getInteger("n"), seen.toString());
      assertEquals(type, seen.get(i).getString("type"));
      if (i > 0) {
        assertTrue(seen.get(i).getLong("position") > seen.get(i - 1).getLong("position"), seen.toString());
      }
    }
    assertEquals(before, seen.subList(0, 3).stream().map(e -> e.getLong("position")).toList());
  }

  @Test
  void aSubscriberThatGoesAwayLeavesNoSubscriptionBehind() throws Exception {
    String type = "test.Left" + UUID.randomUUID().toString().substring(0, 8);
    try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), node.adminPort())) {
      socket.getOutputStream().write(("GET /subscribe?type=" + type + " HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoTimeout(10_000);
      awaitText(socket.getInputStream(), "\r\n\r\n", 1);
      assertEquals(1, node.bus().subscribers(type).size(), "subscribed while the client reads");
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // The node hears of the close on its own event loop, with nothing here to wait on.
    while (!node.bus().subscribers(type).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(List.of(), node.bus().subscribers(type), "unsubscribed once the client left");
  }

  @Test
  void liveEventsAreFollowedOneTypeAtATimeAndAPositionMustBeOne() throws Exception {
    for (String query : List.of("/subscribe", "/subscribe?type=a,b", "/subscribe?type=a&from=0")) {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + query)).GET().build(),
          HttpResponse.BodyHandlers.ofString());

      assertEquals(400, response.statusCode(), query + ": " + response.body());
      assertEquals("INVALID_MESSAGE", new JsonObject(response.body()).getJsonObject("error").getString("code"));
    }
  }

  @Test
  void fromAPositionEveryTypeCanBeFollowed() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    long first = await(node.bus().publish(Message.event("test.A" + suffix, new JsonObject().put("n", 0))));
    await(node.bus().publish(Message.event("test.B" + suffix, new JsonObject().put("n", 1))));

    HttpResponse<Stream<String>> response = open(HttpRequest.newBuilder(
        URI.create(base + "/subscribe?from=" + first)).GET());
    Iterator<String> lines = response.body().iterator();
    List<String> types = new ArrayList<>();
    while (types.size() < 2) {
      String type = new JsonObject(lines.next()).getJsonObject("event").getString("type");
      if (type.endsWith(suffix)) {   // the node journals events of its own meanwhile (the registry's)
        types.add(type);
      }
    }
    response.body().close();

    assertEquals(List.of("test.A" + suffix, "test.B" + suffix), types);
  }

  @Test
  void aSubscriberThatStopsReadingIsLetGoWithOverloaded() throws Exception {
    String type = "test.Flood" + UUID.randomUUID().toString().substring(0, 8);
    String padding = "x".repeat(32 * 1024);
    try (Socket socket = new Socket()) {
      // A small receive buffer, so what the client leaves unread piles up at the node.
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), node.adminPort()));
      socket.getOutputStream().write(("GET /subscribe?type=" + type + " HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      socket.setSoTimeout(10_000);
      InputStream in = socket.getInputStream();
      awaitText(in, "\r\n\r\n", 1);   // the stream's headers: the subscription is made before them
      // Far more than the node's 1 MiB bound and the most the kernel lets the node's socket hold, unread meanwhile.
      long events = (maxSendBuffer() + 4L * WRITE_QUEUE_BOUND) / padding.length() + 50;
      for (int i = 0; i < events; i++) {
        await(node.bus().publish(Message.event(type, new JsonObject().put("n", i).put("pad", padding))));
      }

      String rest = readToEnd(in);
      assertTrue(rest.contains("\"code\":\"OVERLOADED\""), rest.substring(Math.max(0, rest.length() - 500)));
      assertTrue(rest.contains("can subscribe again from position"), "says where to resume");
    }
  }

  @Test
  void theCliPrintsAStreamedAnswerItemByItem() {
    NodeTest.Cli cli = NodeTest.cli("query", "test.Count", "{\"n\":3}", "--stream", "--node", base);

    assertEquals(0, cli.status(), cli.err());
    assertEquals(List.of("{\"item\":{\"i\":0}}", "{\"item\":{\"i\":1}}", "{\"item\":{\"i\":2}}"),
        cli.out().lines().toList());
  }

  @Test
  void theCliSaysToStreamWhenAQueryIsAnsweredWithAStream() {
    NodeTest.Cli cli = NodeTest.cli("query", "test.Count", "{\"n\":3}", "--node", base);

    assertEquals(1, cli.status());
    assertTrue(cli.err().contains("add --stream"), cli.err());
  }

  @Test
  void theCliFollowsEventsFromAPosition() {
    String type = "test.Cli" + UUID.randomUUID().toString().substring(0, 8);
    long first = await(node.bus().publish(Message.event(type, new JsonObject().put("n", 0))));
    await(node.bus().publish(Message.event(type, new JsonObject().put("n", 1))));

    NodeTest.Cli cli = NodeTest.cli("sub", type, "--from", String.valueOf(first), "--count", "2", "--node", base);

    assertEquals(0, cli.status(), cli.err());
    List<JsonObject> events = cli.out().lines().map(line -> new JsonObject(line).getJsonObject("event")).toList();
    assertEquals(List.of(0, 1), events.stream().map(e -> e.getJsonObject("body").getInteger("n")).toList());
    assertEquals(first, events.get(0).getLong("position"));
  }

  @Test
  void theCliFollowsTheNodesJournalInJournalTailsLayout() {
    String type = "test.Tail" + UUID.randomUUID().toString().substring(0, 8);
    long first = await(node.bus().publish(Message.event(type, new JsonObject().put("n", 0))
        .withMetadata("tenant", "t1")));
    await(node.bus().publish(Message.event(type, new JsonObject().put("n", 1))));

    NodeTest.Cli cli = NodeTest.cli("journal", "tail", "--follow", "--from", String.valueOf(first), "--type", type,
        "--count", "2", "--node", base);

    assertEquals(0, cli.status(), cli.err());
    List<String> lines = cli.out().lines().toList();
    assertEquals(2, lines.size(), cli.out());
    assertTrue(lines.get(0).matches("#" + first + " " + type + " id=\\S+ at \\S+ metadata=\\{\"tenant\":\"t1\"\\}"
        + " body=\\{\"n\":0\\}"), lines.get(0));
    assertTrue(lines.get(1).endsWith(" body={\"n\":1}"), lines.get(1));
  }

  @Test
  void withoutAPositionTheCliFollowsFromTheNextRecord() throws Exception {
    String type = "test.Next" + UUID.randomUUID().toString().substring(0, 8);
    long before = await(node.bus().publish(Message.event(type, new JsonObject().put("old", true))));
    java.util.concurrent.CompletableFuture<NodeTest.Cli> following = java.util.concurrent.CompletableFuture
        .supplyAsync(() -> NodeTest.cli("journal", "tail", "--follow", "--type", type, "--count", "1", "--node", base));

    // Its subscription starts once it has read the head, unseen from here: publish until it has one.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!following.isDone() && System.nanoTime() < deadline) {
      await(node.bus().publish(Message.event(type, new JsonObject().put("old", false))));
      Thread.sleep(50);
    }
    NodeTest.Cli cli = following.get(5, TimeUnit.SECONDS);

    assertEquals(0, cli.status(), cli.err());
    String line = cli.out().strip();
    assertTrue(line.endsWith(" body={\"old\":false}"), "only what came after the start: " + line);
    assertTrue(Long.parseLong(line.substring(1, line.indexOf(' '))) > before, line);
  }

  private static final long WRITE_QUEUE_BOUND = 1024 * 1024;

  /** The largest send buffer the kernel gives a TCP socket (the last of net.ipv4.tcp_wmem), 4 MiB if unknown. */
  private static long maxSendBuffer() {
    try {
      String[] wmem = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
      return Long.parseLong(wmem[wmem.length - 1]);
    } catch (IOException | RuntimeException e) {
      return 4L * 1024 * 1024;
    }
  }

  /** Reads until {@code text} has been seen {@code times} times. */
  private static void awaitText(InputStream in, String text, int times) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] chunk = new byte[4096];
    int found = 0;
    int from = 0;
    while (found < times) {
      int read = in.read(chunk);
      if (read < 0) {
        throw new AssertionError("the node closed the stream after: " + seen);
      }
      seen.append(new String(chunk, 0, read, StandardCharsets.ISO_8859_1));
      for (int at = seen.indexOf(text, from); at >= 0; at = seen.indexOf(text, from)) {
        found++;
        from = at + text.length();
      }
    }
  }

  /** Everything until the response's last chunk, bounded by the socket's timeout per read. */
  private static String readToEnd(InputStream in) throws IOException {
    StringBuilder rest = new StringBuilder();
    byte[] chunk = new byte[65536];
    try {
      while (rest.indexOf("\r\n0\r\n\r\n") < 0) {
        int read = in.read(chunk);
        if (read < 0) {
          break;
        }
        rest.append(new String(chunk, 0, read, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the node did not end the slow subscriber's stream; after " + rest.length()
          + " bytes, its last: " + rest.substring(Math.max(0, rest.length() - 300)));
    }
    return rest.toString();
  }
}
