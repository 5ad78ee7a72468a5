package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackTest extends ProcessFixture {

  /** The request type of {@code test.Numbers}. */
  public static final class NumbersRequest {
    public int n;
  }

  private final Promise<Void> numbersCancelled = Promise.promise();
  private final AtomicInteger written = new AtomicInteger();
  private final AtomicLong producerFinishedAt = new AtomicLong();

  @BeforeEach
  void registerCallbacks() {
    await(CallbackRegistry.register(bus, CallbackHandler.<NumbersRequest, JsonObject>of("test.Numbers",
        NumbersRequest.class, (request, sink) -> {
          sink.cancelHandler(v -> numbersCancelled.tryComplete());
          produce(sink, request.n, 0);
        })));
    await(CallbackRegistry.register(bus, CallbackHandler.<JsonObject, JsonObject>of("test.Broken", JsonObject.class,
        (request, sink) -> {
          sink.write(new JsonObject().put("i", 0));
          sink.fail(new CommBusException(ErrorCode.REJECTED, "market closed"));
        })));
  }

  /** Writes items as the consumer's credit allows: a slow Python loop slows this down. */
  private void produce(StreamSink<JsonObject> sink, int n, int from) {
    int i = from;
    while (i < n && !sink.writeQueueFull() && !sink.isCancelled()) {
      sink.write(new JsonObject().put("i", i++));
      written.incrementAndGet();
    }
    if (sink.isCancelled()) {
      return;
    }
    if (i == n) {
      producerFinishedAt.set(System.nanoTime());
      sink.end();
      return;
    }
    int next = i;
    sink.drainHandler(v -> produce(sink, n, next));
  }

  private ProcessOptions callbacks(ProcessOptions options) {
    return options.addCallback("test.Numbers").addCallback("test.Broken");
  }

  private JsonObject ask(String function, JsonObject request) {
    PythonProcessConfig worker = worker(function);
    callbacks(worker.getProcess());
    deploy("py." + function, worker);
    return await(bus.query(Message.query("py." + function, request))).json();
  }

  @Test
  void aCallbackAnswersWithNoneOneOrManyItems() {
    PythonProcessConfig worker = worker("callback_collect");
    callbacks(worker.getProcess());
    deploy("py.collect", worker);

    for (int n : new int[] {0, 1, 1000}) {
      JsonArray items = await(bus.query(Message.query("py.collect", new JsonObject().put("n", n)))).json()
          .getJsonArray("items");
      assertEquals(n, items.size());
      for (int i = 0; i < n; i++) {
        assertEquals(i, items.getJsonObject(i).getInteger("i"));
      }
    }
  }

  @Test
  void theStringStyleCallbackHandleWorksToo() {
    JsonObject reply = ask("callback_legacy", new JsonObject().put("n", 5));

    assertEquals(5, reply.getJsonArray("items").size());
  }

  @Test
  void aCallbackErrorRaisesTheMatchingPythonException() {
    JsonObject reply = ask("callback_error", new JsonObject());

    assertEquals("REJECTED", reply.getString("code"));
    assertEquals("RejectedError", reply.getString("python_type"));
    assertTrue(reply.getString("message").contains("market closed"), reply.getString("message"));
  }

  @Test
  void breakingOutOfTheLoopCancelsTheJavaStream() {
    JsonObject reply = ask("callback_break", new JsonObject().put("n", 1_000_000).put("take", 3));

    assertEquals(3, reply.getInteger("taken"));
    await(numbersCancelled.future());
    assertTrue(written.get() < 1_000_000, "the producer stopped after " + written.get() + " items");
  }

  @Test
  void aSlowPythonConsumerSlowsTheJavaProducer() {
    long start = System.nanoTime();
    JsonObject reply = ask("callback_slow_consumer", new JsonObject().put("n", 3000).put("pause", 0.001));
    long pythonDone = System.nanoTime();

    assertEquals(3000, reply.getInteger("seen"));
    long producerMillis = (producerFinishedAt.get() - start) / 1_000_000;
    long consumerMillis = (pythonDone - start) / 1_000_000;
    // Without back-pressure the producer would finish at once; with it, it trails the consumer
    // by at most the windows in between (several hundred items of 3000).
    assertTrue(producerMillis > consumerMillis / 3, "producer finished after " + producerMillis
        + " ms, consumer after " + consumerMillis + " ms");
  }

  @Test
  void aCallbackNeedsNoDeclarationAndItsHandlerMayComeAfterTheChildStarted() {
    deploy("py.later", worker("callback_later"));  // no addCallback("test.Later")

    CommBusException missing = failure(bus.query(Message.query("py.later", new JsonObject().put("n", 2))));
    assertEquals(ErrorCode.NO_HANDLER, missing.code());
    assertTrue(missing.getMessage().contains("no node of the bus has a handler for callback test.Later"),
        missing.getMessage());

    await(CallbackRegistry.register(bus, CallbackHandler.<JsonObject, JsonObject>of("test.Later", JsonObject.class,
        (request, sink) -> {
          for (int i = 0; i < request.getInteger("n"); i++) {
            sink.write(new JsonObject().put("later", i));
          }
          sink.end();
        })));
    JsonObject reply = await(bus.query(Message.query("py.later", new JsonObject().put("n", 2)))).json();
    assertEquals(new JsonArray().add(new JsonObject().put("later", 0)).add(new JsonObject().put("later", 1)),
        reply.getJsonArray("items"));
  }
}
