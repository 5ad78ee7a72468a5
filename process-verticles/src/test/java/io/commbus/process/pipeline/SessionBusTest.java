package io.commbus.process.pipeline;

import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.ProcessFixture;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.wire.Frame;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions created, fed, read and terminated through the bus alone, as a caller on another node would. */
class SessionBusTest extends ProcessFixture {

  private Sessions sessions;
  private SessionService service;

  @BeforeEach
  void startSessions() {
    SessionOptions options = new SessionOptions()
        .setPython(new PythonProcessConfig().addPythonPath(PYTHON).setProcess(fastOptions()))
        .addPipeline(PipelineSpec.read(relaySpec("relay")));
    sessions = await(Sessions.start(vertx, bus, options));
    service = await(SessionService.register(bus, sessions));
  }

  @AfterEach
  void closeSessions() {
    await(service.close());
    await(sessions.close());
  }

  private static JsonObject relaySpec(String name) {
    return new JsonObject().put("name", name).put("nodes", new JsonArray()
        .add(new JsonObject().put("id", "gate").put("python", "session_nodes:gate")));
  }

  private Future<Message> query(String type, Object body) {
    return bus.query(Message.of(io.commbus.bus.Category.QUERY, type, body));
  }

  @Test
  void aSessionIsCreatedFedReadAndTerminatedOverTheBus() {
    JsonObject status = await(query(SessionService.CREATE, new JsonObject().put("id", "b1").put("pipeline", "relay")))
        .json();
    assertEquals("running", status.getString("state"));
    assertEquals(new JsonArray().add("gate.in"), status.getJsonArray("inputs"));

    List<ChannelItem> received = new ArrayList<>();
    Promise<Void> ended = Promise.promise();
    QueryStream<Message> output = await(bus.queryStream(Message.query("commbus.session.b1.out.gate.out", null)));
    output.exceptionHandler(ended::tryFail).endHandler(v -> ended.tryComplete()).handler(m -> {
      try {
        received.add(ChannelFrames.item(ChannelFrames.decode(m.buffer())));
      } catch (Exception e) {
        ended.tryFail(e);
      }
    });
    for (int i = 0; i < 100; i++) {
      Buffer frame = ChannelFrames.encode(ChannelFrames.item(ChannelItem.of(SessionsTest.frame(i))
          .with((double) i, "audio/pcm"), i));
      await(query("commbus.session.b1.in.gate.in", frame));
    }
    await(query("commbus.session.b1.in.gate.in", ChannelFrames.encode(ChannelFrames.end())));
    await(ended.future());
    assertEquals(100, received.size());
    for (int i = 0; i < 100; i++) {
      assertEquals(SessionsTest.frame(i), received.get(i).data());
      assertEquals((double) i, received.get(i).ts());
      assertEquals("audio/pcm", received.get(i).contentType());
    }
  }

  @Test
  void aSessionEndsWhenTerminatedOverTheBusAndItsTypesGoWithIt() {
    await(query(SessionService.CREATE, new JsonObject().put("id", "b2").put("spec", relaySpec("inline"))));
    JsonArray listed = await(query(SessionService.LIST, null)).json().getJsonArray("sessions");
    assertEquals("b2", listed.getJsonObject(0).getString("id"));
    JsonObject terminated = await(query("commbus.session.b2.terminate", null)).json();
    assertEquals("terminated", terminated.getString("outcome"));
    assertEquals(ErrorCode.NO_HANDLER, failure(query("commbus.session.b2.status", null)).code());
    assertEquals(0, await(query(SessionService.LIST, null)).json().getJsonArray("sessions").size());
  }

  @Test
  void badRequestsAreRefusedWithWhatIsWrong() {
    CommBusException badSpec = failure(query(SessionService.CREATE, new JsonObject().put("id", "b3")
        .put("spec", new JsonObject().put("name", "x").put("nodes", new JsonArray()))));
    assertEquals(ErrorCode.INVALID_MESSAGE, badSpec.code());
    assertTrue(badSpec.getMessage().contains("at least one node"), badSpec.getMessage());
    CommBusException unknown = failure(query(SessionService.CREATE, new JsonObject().put("id", "b3")
        .put("pipeline", "nope")));
    assertTrue(unknown.getMessage().contains("no pipeline nope is configured (there are relay)"), unknown.getMessage());

    await(query(SessionService.CREATE, new JsonObject().put("id", "b4").put("pipeline", "relay")));
    CommBusException notAFrame = failure(query("commbus.session.b4.in.gate.in", Buffer.buffer("hello")));
    assertEquals(ErrorCode.INVALID_MESSAGE, notAFrame.code());
    CommBusException wrongKind = failure(query("commbus.session.b4.in.gate.in",
        ChannelFrames.encode(Frame.of(Frame.header(io.commbus.process.wire.Protocol.FrameKind.CREDIT)))));
    assertEquals(ErrorCode.INVALID_MESSAGE, wrongKind.code());
    Future<QueryStream<Message>> first = bus.queryStream(Message.query("commbus.session.b4.out.gate.out", null));
    await(first);
    QueryStream<Message> second = await(bus.queryStream(Message.query("commbus.session.b4.out.gate.out", null)));
    Promise<Throwable> refused = Promise.promise();
    second.exceptionHandler(refused::tryComplete).handler(m -> { });
    Throwable e = await(refused.future());
    assertTrue(e.getMessage().contains("is being read already"), e.getMessage());
  }
}
