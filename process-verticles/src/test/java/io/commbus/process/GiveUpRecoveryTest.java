package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.pool.PoolStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pool that gave up on its child answers UNAVAILABLE at once, and is back by itself on the slow retry. */
class GiveUpRecoveryTest extends ProcessFixture {

  @Test
  void aGivenUpPoolFailsFastThenRecoversOnTheSlowRetry() throws IOException {
    Path marker = runtime.resolve("refuse-start");
    PythonProcessConfig worker = new PythonProcessConfig("marked_start", "echo").addPythonPath(PYTHON)
        .putEnvironment("START_MARKER", marker.toString())
        .setProcess(fastOptions().setMaxRestarts(0).setGivenUpRetryInterval(Duration.ofSeconds(2)));
    ProcessVerticle pool = deploy(new PoolOptions("py.marked"), worker);
    long pid = await(pool.children()).getJsonObject(0).getLong("pid");
    Promise<Message> gaveUp = Promise.promise();
    Promise<Message> startedAgain = Promise.promise();
    await(Future.all(bus.subscribe(ProcessEvents.CHILD_GAVE_UP, gaveUp::tryComplete).ready(),
        bus.subscribe(ProcessEvents.CHILD_STARTED, startedAgain::tryComplete).ready()));

    Files.createFile(marker);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    await(gaveUp.future());   // maxRestarts 0: the kill itself is one failure too many
    PoolStatus down = await(pool.status());
    assertEquals(PoolStatus.Health.GIVEN_UP, down.health());
    assertNotNull(down.nextRetryAt());
    assertEquals("SIGNALLED", down.lastExit().exit().cause().name());
    CommBusException unavailable = failure(bus.query(Message.query("py.marked", new JsonObject())));
    assertEquals(ErrorCode.UNAVAILABLE, unavailable.code());
    assertTrue(unavailable.getMessage().contains("tried again every 2000 ms"), unavailable.getMessage());

    Files.delete(marker);

    await(startedAgain.future());
    PoolStatus up = await(pool.status());
    assertEquals(PoolStatus.Health.UP, up.health());
    assertEquals(0, up.givenUp());
    assertNull(up.nextRetryAt());
    Message answer = await(bus.query(Message.query("py.marked", new JsonObject().put("n", 2))));
    assertEquals(2, answer.json().getJsonObject("echo").getInteger("n"));
  }
}
