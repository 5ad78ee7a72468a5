package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PythonHandlersTest extends ProcessFixture {

  @Test
  void syncAndAsyncHandlersAnswerQueries() {
    deploy("py.echo", worker("echo"));
    deploy("py.async", worker("async_echo"));

    Message sync = await(bus.query(Message.query("py.echo", new JsonObject().put("symbol", "AAPL"))));
    Message async = await(bus.query(Message.query("py.async", new JsonObject().put("qty", 3))));

    assertEquals("AAPL", sync.json().getJsonObject("echo").getString("symbol"));
    assertEquals(3, async.json().getJsonObject("echo").getInteger("qty"));
  }

  @Test
  void poolsStartTogether() {
    List<Future<String>> starts = new ArrayList<>();
    for (String type : List.of("py.a", "py.b", "py.c")) {
      starts.add(vertx.deployVerticle(ProcessVerticle.python(bus, new PoolOptions(type).setSize(2), worker("echo"))));
    }
    await(Future.all(starts));

    for (String type : List.of("py.a", "py.b", "py.c")) {
      assertEquals(type, await(bus.query(Message.query(type, new JsonObject().put("t", type)))).json()
          .getJsonObject("echo").getString("t"));
    }
  }

  @Test
  void anAsyncGeneratorAnswersWithAStream() {
    deploy("py.count", worker("count"));

    List<Integer> items = collect("py.count", new JsonObject().put("n", 700));

    assertEquals(700, items.size());
    for (int i = 0; i < items.size(); i++) {
      assertEquals(i, items.get(i));
    }
    assertEquals(ErrorCode.PROTOCOL, failure(bus.query(Message.query("py.count", new JsonObject().put("n", 1)))).code(),
        "a streaming handler asked for one value");
  }

  @Test
  void aPythonExceptionReachesTheCallerWithTypeMessageAndTraceback() {
    deploy("py.fail", worker("fail"));

    CommBusException error = failure(bus.query(Message.query("py.fail", new JsonObject().put("why", "no funds"))));

    assertEquals(ErrorCode.HANDLER_FAILED, error.code());
    assertEquals("ValueError", error.remoteType());
    assertTrue(error.getMessage().contains("bad order: no funds"), error.getMessage());
    assertTrue(error.remoteTrace() != null && error.remoteTrace().contains("workers.py"), error.remoteTrace());
  }

  @Test
  void twoHundredConcurrentRequestsOnOneChild() {
    deploy("py.async", worker("async_echo"));

    List<Future<Message>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(bus.query(Message.query("py.async", new JsonObject().put("n", i))));
    }
    await(Future.all(replies));

    Set<Long> pids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      JsonObject reply = replies.get(i).result().json();
      assertEquals(i, reply.getJsonObject("echo").getInteger("n"), "reply matched to its request");
      pids.add(reply.getLong("pid"));
    }
    assertEquals(1, pids.size());
  }

  @Test
  void rawBytesCrossWithoutEncoding() {
    deploy("py.raw", worker("raw"));
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }

    Message reply = await(bus.query(Message.of(io.commbus.bus.Category.QUERY, "py.raw", Buffer.buffer(bytes))));

    byte[] back = reply.buffer().getBytes();
    for (int i = 0; i < bytes.length; i++) {
      assertEquals(bytes[bytes.length - 1 - i], back[i]);
    }
  }

  @Test
  void aMissedDeadlineIsATimeoutAndTheResponsiveChildKeepsServing() {
    ProcessVerticle pool = deploy("py.slow", worker("slow"));
    long pid = await(pool.children()).getJsonObject(0).getLong("pid");

    CommBusException error = failure(bus.query(Message.query("py.slow", new JsonObject().put("seconds", 30)),
        Duration.ofMillis(300)));
    assertEquals(ErrorCode.TIMEOUT, error.code());

    Message next = await(bus.query(Message.query("py.slow", new JsonObject().put("seconds", 0))));
    assertEquals(0, next.json().getInteger("slept"));
    assertEquals(pid, await(pool.children()).getJsonObject(0).getLong("pid"), "cancelled, not restarted");
    assertEquals(0, await(pool.stats()).getInteger("inFlight"));
  }

  @Test
  void theTraceparentTravelsIntoPython() {
    deploy("py.trace", worker("tracing"));

    Message reply = await(bus.query(Message.query("py.trace", new JsonObject())));

    String traceparent = reply.json().getString("traceparent");
    assertTrue(traceparent != null && traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"), traceparent);
  }

  @Test
  void cancellingAStreamStopsTheGeneratorAndFreesTheChild() {
    ProcessVerticle pool = deploy("py.count", worker("count_fast"));
    QueryStream<Message> stream = await(bus.queryStream(Message.query("py.count", new JsonObject().put("n", 10_000_000))));
    Promise<Void> tenSeen = Promise.promise();
    List<Object> seen = new ArrayList<>();
    stream.handler(item -> {
      seen.add(item.body());
      if (seen.size() == 10) {
        tenSeen.tryComplete();
      }
    });
    await(tenSeen.future());
    await(stream.cancel());

    assertEquals(0, await(pool.stats()).getInteger("inFlight"));
    assertEquals(3, collect("py.count", new JsonObject().put("n", 3)).size(), "the child still serves");
  }

  @Test
  void childOutputReachesTheNodeLogLineByLineTaggedWithTheChild() {
    List<String> lines;
    try (LogCapture log = LogCapture.of("io.commbus.process.child")) {
      deploy("py.chatty", worker("chatty"));
      await(bus.query(Message.query("py.chatty", new JsonObject())));
      await(log.seen("hello from python"));
      await(log.seen("warning from python"));
      lines = log.records().stream().map(LogRecord::getMessage).toList();
    }

    assertTrue(lines.contains("[py.chatty#0 stdout] hello from python"), lines.toString());
    assertTrue(lines.contains("[py.chatty#0 stderr] warning from python"), lines.toString());
  }

  private List<Integer> collect(String type, JsonObject request) {
    QueryStream<Message> stream = await(bus.queryStream(Message.query(type, request)));
    List<Integer> items = new ArrayList<>();
    Promise<Void> ended = Promise.promise();
    stream.handler(item -> {
      Object body = item.body();
      items.add(body instanceof JsonObject ? ((JsonObject) body).getInteger("i") : ((Number) body).intValue());
    });
    stream.exceptionHandler(ended::tryFail);
    stream.endHandler(ended::tryComplete);
    await(ended.future());
    return items;
  }
}
