package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames this side would send over the frame limit: the one call they belong to fails with
 * CODEC, and the child, and everything else on it, goes on. A small limit stands for the 16 MiB
 * default; the check is the same.
 */
class FrameLimitTest extends ProcessFixture {

  private static final int LIMIT = 64 * 1024;
  private static final int OVER = 100_000;

  private ProcessVerticle pool;
  private long pid;
  private final Promise<Message> exited = Promise.promise();

  @BeforeEach
  void deployPool() {
    await(CallbackRegistry.register(bus, CallbackHandler.<JsonObject, JsonObject>of("test.Sized", JsonObject.class,
        (request, sink) -> {
          for (Object size : request.getJsonArray("sizes")) {
            sink.write(new JsonObject().put("blob", "x".repeat((Integer) size)));
          }
          sink.end();
        })));
    await(bus.registerHandler("test.Big", (Message m) ->
        Future.succeededFuture(new JsonObject().put("blob", "x".repeat(m.json().getInteger("size"))))));
    bus.subscribe(ProcessEvents.CHILD_EXITED, exited::tryComplete);
    PythonProcessConfig worker = worker("frame_limits");
    worker.getProcess().setMaxFrameSize(LIMIT).addCallback("test.Sized");
    pool = deploy("py.limits", worker);
    pid = await(pool.children()).getJsonObject(0).getLong("pid");
  }

  private JsonObject ask(JsonObject request) {
    return await(bus.query(Message.query("py.limits", request))).json();
  }

  /** The child that served everything is the one that started: nothing killed or restarted it. */
  private void assertUndisturbed() {
    assertEquals(pid, ask(new JsonObject().put("do", "sleep").put("seconds", 0)).getLong("pid"));
    assertFalse(exited.future().isComplete(), () -> "the child exited: " + exited.future().result().json());
  }

  @Test
  void aRequestOverTheLimitFailsAloneWithCodecWhileAnotherIsInFlight() {
    Future<Message> inFlight = bus.query(Message.query("py.limits", new JsonObject().put("do", "sleep")
        .put("seconds", 0.3)));

    CommBusException error = failure(bus.query(Message.query("py.limits", new JsonObject().put("do", "sleep")
        .put("seconds", 0).put("blob", "x".repeat(OVER)))));

    assertEquals(ErrorCode.CODEC, error.code());
    assertTrue(error.getMessage().contains("exceeds the maximum frame size of " + LIMIT), error.getMessage());
    assertEquals(pid, await(inFlight).json().getLong("pid"));
    assertUndisturbed();
  }

  @Test
  void aCallbackItemOverTheLimitFailsThatCallWithCodecAfterTheItemsBeforeIt() {
    JsonObject reply = ask(new JsonObject().put("do", "callback").put("sizes", new JsonArray().add(10).add(OVER)
        .add(10)));

    assertEquals("CODEC", reply.getString("code"));
    assertEquals(new JsonArray().add(10), reply.getJsonArray("received"));
    assertUndisturbed();
  }

  @Test
  void callbackItemsUnderTheLimitThatAreOverItTogetherAllArrive() {
    JsonArray sizes = new JsonArray().add(10).add(40_000).add(40_000).add(10);

    JsonObject reply = ask(new JsonObject().put("do", "callback").put("sizes", sizes));

    assertNull(reply.getString("code"));
    assertEquals(sizes, reply.getJsonArray("received"));
    assertUndisturbed();
  }

  @Test
  void aReplyToTheChildsQueryOverTheLimitFailsThatQueryWithCodec() {
    JsonObject reply = ask(new JsonObject().put("do", "query").put("size", OVER));

    assertEquals("CODEC", reply.getString("code"));
    assertEquals(new JsonArray().add(10), ask(new JsonObject().put("do", "query").put("size", 10))
        .getJsonArray("received"));
    assertUndisturbed();
  }
}
