package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.process.pool.PoolStatus;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a pool shows whoever fronts it: health and load, a way in besides its bus type, and a say when it stops. */
class PoolStatusTest extends ProcessFixture {

  @Test
  void aReadyPoolShowsItsHealthLoadAndHowItAnswers() {
    ProcessVerticle pool = deploy(new PoolOptions("py.status").setSize(2), worker("async_echo"));

    PoolStatus status = await(pool.status());

    assertTrue(status.healthy());
    assertEquals(2, status.size());
    assertEquals(2, status.ready());
    assertEquals(2 * 256, status.capacity());
    assertEquals(HandlerKind.ASYNC, status.handlerKind());
    assertFalse(status.streams());
    assertEquals(status.toJson(), await(pool.stats()));
    assertEquals("workers", pool.entry().getString("module"));
  }

  @Test
  void aRequestCanComeInBesidesTheBusTypeFromAnyThread() {
    ProcessVerticle pool = deploy("py.direct", worker("async_echo"));

    Object answer = await(pool.request(Message.query("something.Else", new JsonObject().put("n", 3))));

    assertEquals(3, ((JsonObject) answer).getJsonObject("echo").getInteger("n"));
  }

  @Test
  void stopHooksRunFirstWhileThePoolStillAnswers() {
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("py.leaving"), worker("async_echo"));
    List<Object> answeredWhileLeaving = new CopyOnWriteArrayList<>();
    pool.onStop(() -> pool.request(Message.query("last.Call", new JsonObject().put("n", 1)))
        .onSuccess(answeredWhileLeaving::add));
    String id = await(vertx.deployVerticle(pool));

    await(vertx.undeploy(id));

    assertEquals(1, answeredWhileLeaving.size());
  }

  @Test
  void aStopHookThatNeverCompletesHoldsTheStopForShutdownGraceAtMost() throws Exception {
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("py.stuck"), worker("async_echo"));
    pool.onStop(() -> Promise.promise().future());
    String id = await(vertx.deployVerticle(pool));
    long pid = await(pool.children()).getJsonObject(0).getLong("pid");

    // shutdownGrace is 2 s here: the hook's wait, then bye and at worst SIGTERM after another.
    vertx.undeploy(id).await(15, TimeUnit.SECONDS);

    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the child was stopped");
  }

  @Test
  void optionsThatCannotWorkAreLocalMisuse() {
    // A bound is the setter's: the value is refused where it is set, before any deployment.
    IllegalArgumentException bound = assertThrows(IllegalArgumentException.class,
        () -> worker("async_echo").getProcess().setMaxInFlight(0));
    assertEquals("maxInFlight: must be at least 1, was 0", bound.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PoolOptions(""));

    // What no setter sees, a pool never given a name, fails the deployment.
    Throwable unnamed = vertx.deployVerticle(ProcessVerticle.python(bus, new PoolOptions(), worker("async_echo")))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertInstanceOf(IllegalArgumentException.class, unnamed);
  }
}
