package io.commbus.coordinator;

import io.commbus.bus.journal.JournaledBusFixture;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.OverloadedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DispatcherTest extends JournaledBusFixture {

  private ServiceRegistry registry;
  private Dispatcher dispatcher;

  @BeforeEach
  void start() {
    registry = await(ServiceRegistry.start(vertx, bus, new RegistryOptions()));
    dispatcher = new Dispatcher(vertx, bus, registry, new DispatcherOptions().setBaseBackoff(Duration.ofMillis(1))
        .setMaxBackoff(Duration.ofMillis(5)).setQueueCapacity(600));
  }

  @AfterEach
  void stop() {
    await(registry.stop());
  }

  private static CommBusException failure(Future<?> future) {
    Throwable cause = future.transform(ar -> Future.succeededFuture(ar.cause())).await();
    return assertInstanceOf(CommBusException.class, cause, () -> "expected a failure, got success");
  }

  private static Message envelope(int n) {
    return Message.query("request", new JsonObject().put("n", n));
  }

  private void service(String name, int maxConcurrent) {
    assertTrue(await(registry.registerService(ServiceDescriptor.of(name, "worker").withMaxConcurrent(maxConcurrent))));
  }

  @Test
  void unknownAndUnhealthyServicesAreTypedErrors() {
    assertEquals(ErrorCode.NO_HANDLER, failure(dispatcher.dispatch(new DispatchTarget("ghost", "run"), envelope(1))).code());

    service("sick", 1);
    Promise<Void> down = Promise.promise();
    registry.onChange(name -> {
      if (!registry.getService("sick").orElseThrow().healthy()) {
        down.tryComplete();
      }
    });
    ServiceRegistry strict = await(ServiceRegistry.start(vertx, bus, new RegistryOptions()
        .setHeartbeatTtl(Duration.ofMillis(100)).setCheckInterval(Duration.ofMillis(20))));
    await(down.future());
    await(strict.stop());

    assertEquals(ErrorCode.UNAVAILABLE, failure(dispatcher.dispatch(new DispatchTarget("sick", "run"), envelope(1))).code());
  }

  @Test
  void maxConcurrentHoldsUnderFiveHundredConcurrentRequests() {
    service("busy", 7);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger highest = new AtomicInteger();
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    await(dispatcher.registerHandler("busy", m -> {
      int now = running.incrementAndGet();
      highest.accumulateAndGet(now, Math::max);
      int load = dispatcher.load("busy");
      if (load > 7 || load < 0) {
        problems.add("load " + load);
      }
      Promise<JsonObject> done = Promise.promise();
      vertx.setTimer(1, id -> {
        running.decrementAndGet();
        done.complete(new JsonObject().put("ok", true));
      });
      return done.future();
    }));

    List<Future<Message>> all = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      all.add(dispatcher.dispatch(new DispatchTarget("busy", "run").timeout(Duration.ofSeconds(30)), envelope(i)));
    }
    await(Future.all(all));

    assertEquals(List.of(), problems);
    assertTrue(highest.get() <= 7, "ran " + highest.get() + " at once");
    assertEquals(7, highest.get(), "the limit was never reached, so it was not tested");
    assertEquals(0, dispatcher.load("busy"));
    assertEquals(0, dispatcher.queued("busy"));
  }

  @Test
  void queuedRequestsRunHigherPriorityFirstThenInArrivalOrder() {
    service("single", 1);
    Promise<Void> release = Promise.promise();
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    await(dispatcher.registerHandler("single", m -> {
      String tag = m.json().getString("tag");
      if (tag.equals("blocker")) {
        return release.future().map(v -> new JsonObject());
      }
      order.add(tag);
      return Future.succeededFuture(new JsonObject());
    }));

    List<Future<Message>> all = new ArrayList<>();
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run"), tagged("blocker")));
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run").priority(Priority.LOW), tagged("low")));
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run").priority(Priority.NORMAL), tagged("normal-1")));
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run").priority(Priority.HIGH), tagged("high")));
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run").priority(Priority.CRITICAL), tagged("critical")));
    all.add(dispatcher.dispatch(new DispatchTarget("single", "run").priority(Priority.NORMAL), tagged("normal-2")));
    assertEquals(5, dispatcher.queued("single"));
    release.complete();
    await(Future.all(all));

    assertEquals(List.of("critical", "high", "normal-1", "normal-2", "low"), order);
  }

  private static Message tagged(String tag) {
    return Message.query("request", new JsonObject().put("tag", tag));
  }

  @Test
  void theTimeoutCoversTimeSpentInTheQueue() {
    service("stuck", 1);
    await(dispatcher.registerHandler("stuck", m -> Promise.promise().future()));
    dispatcher.dispatch(new DispatchTarget("stuck", "run").maxRetries(0), envelope(1));

    long start = System.nanoTime();
    CommBusException error = failure(dispatcher.dispatch(new DispatchTarget("stuck", "run")
        .timeout(Duration.ofMillis(200)).maxRetries(0), envelope(2)));

    assertEquals(ErrorCode.TIMEOUT, error.code());
    assertTrue(error.getMessage().contains("queue"), error.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    assertEquals(0, dispatcher.queued("stuck"));
  }

  @Test
  void aFullQueueIsOverloaded() {
    Dispatcher small = new Dispatcher(vertx, bus, registry, new DispatcherOptions().setQueueCapacity(1));
    service("tiny", 1);
    await(small.registerHandler("tiny", m -> Promise.promise().future()));
    small.dispatch(new DispatchTarget("tiny", "run").maxRetries(0), envelope(1));
    small.dispatch(new DispatchTarget("tiny", "run").maxRetries(0), envelope(2));

    assertEquals(ErrorCode.OVERLOADED, failure(small.dispatch(new DispatchTarget("tiny", "run").maxRetries(0),
        envelope(3))).code());
  }

  @Test
  void retryableFailuresAreRetriedExactlyUpToMaxRetries() {
    service("flaky", 5);
    AtomicInteger calls = new AtomicInteger();
    await(dispatcher.registerHandler("flaky", m -> {
      int call = calls.incrementAndGet();
      return call <= 2 ? Future.failedFuture(new OverloadedException("busy " + call))
          : Future.succeededFuture(new JsonObject().put("call", call));
    }));

    Message reply = await(dispatcher.dispatch(new DispatchTarget("flaky", "run").maxRetries(3), envelope(1)));
    assertEquals(3, reply.json().getInteger("call"));
    assertEquals(3, calls.get());

    calls.set(-100);   // from now on always overloaded
    assertEquals(ErrorCode.OVERLOADED, failure(dispatcher.dispatch(new DispatchTarget("flaky", "run").maxRetries(2),
        envelope(2))).code());
    assertEquals(-100 + 3, calls.get(), "one attempt and two retries");
  }

  @Test
  void aCallWhoseNodeLeftIsRetried() {
    service("moving", 5);
    AtomicInteger calls = new AtomicInteger();
    await(dispatcher.registerHandler("moving", m -> calls.incrementAndGet() == 1
        ? Future.failedFuture(new io.commbus.bus.error.NodeLeftException("member m1 left the cluster"))
        : Future.succeededFuture(new JsonObject().put("call", calls.get()))));

    Message reply = await(dispatcher.dispatch(new DispatchTarget("moving", "run").maxRetries(1), envelope(1)));

    assertEquals(2, reply.json().getInteger("call"), "NODE_LEFT is retried");
  }

  @Test
  void nonRetryableFailuresAreNotRetried() {
    service("broken", 5);
    AtomicInteger calls = new AtomicInteger();
    await(dispatcher.registerHandler("broken", m -> {
      calls.incrementAndGet();
      throw new IllegalStateException("bug");
    }));

    CommBusException error = failure(dispatcher.dispatch(new DispatchTarget("broken", "run").maxRetries(3), envelope(1)));

    assertEquals(ErrorCode.HANDLER_FAILED, error.code());
    assertEquals(1, calls.get());
  }

  @Test
  void aServiceHandledElsewhereIsReachedThroughTheEventBus() {
    service("remote", 2);
    CommBus otherBus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    Dispatcher otherNode = new Dispatcher(vertx, otherBus, registry, new DispatcherOptions());
    await(otherNode.registerHandler("remote", m -> Future.succeededFuture(
        new JsonObject().put("method", m.metadata().get("method")).put("n", m.json().getInteger("n")))));

    Message reply = await(dispatcher.dispatch(new DispatchTarget("remote", "compute"), envelope(42)));

    assertEquals("compute", reply.json().getString("method"));
    assertEquals(42, reply.json().getInteger("n"));
  }
}
