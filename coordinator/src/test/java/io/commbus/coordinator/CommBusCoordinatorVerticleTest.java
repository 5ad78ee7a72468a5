package io.commbus.coordinator;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class CommBusCoordinatorVerticleTest {

  @TempDir
  Path directory;

  private Vertx vertx;
  private FileJournal journal;
  private CommBusCoordinatorVerticle coordinator;
  private String deployment;

  @BeforeEach
  void deploy() {
    vertx = Vertx.vertx();
    journal = await(FileJournal.open(vertx, new FileJournalOptions(directory)));
    CommBus bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions());
    deployment = await(vertx.deployVerticle(coordinator));
  }

  @AfterEach
  void undeploy() {
    await(vertx.undeploy(deployment));
    await(journal.close());
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void requestAnswersResultOrErrorAsTheSeedDesignDoes() {
    assertTrue(await(coordinator.registerService(ServiceDescriptor.of("flow_service", "flow"))));
    await(coordinator.registerHandler("flow_service", m -> Future.succeededFuture(
        new JsonObject().put("doubled", m.json().getInteger("n") * 2))));

    JsonObject ok = await(coordinator.request("flow_service", "Double", new JsonObject().put("n", 21),
        Duration.ofSeconds(5)));
    JsonObject missing = await(coordinator.request("nobody", "Double", new JsonObject(), Duration.ofSeconds(5)));

    assertEquals(42, ok.getJsonObject("result").getInteger("doubled"));
    assertEquals("NO_HANDLER", missing.getString("code"));
    assertTrue(missing.getString("error").contains("nobody"), missing.encode());
  }

  @Test
  void broadcastReachesSubscribersAndMetricsShowTheServices() {
    Promise<Message> heard = Promise.promise();
    await(coordinator.subscribe("MemoryStored", heard::tryComplete).ready());
    await(coordinator.registerService(ServiceDescriptor.of("w1", "worker")));

    long position = await(coordinator.broadcast("MemoryStored", new JsonObject().put("item", "123")));

    assertEquals("123", await(heard.future()).json().getString("item"));
    assertTrue(position > 0, "broadcast events are journaled");
    JsonObject metrics = coordinator.metrics();
    assertEquals(1, metrics.getInteger("services"));
    assertEquals(0, metrics.getJsonObject("load").getInteger("w1"));
    assertEquals(1, coordinator.listServices("worker", true).size());
  }

  @Test
  void queriesAndQueryHandlersPassThroughToTheBus() {
    await(coordinator.registerQueryHandler("GetState", m -> Future.succeededFuture(
        new JsonObject().put("session", m.json().getString("id")))));

    Message reply = await(coordinator.sendQuery(Message.query("GetState", new JsonObject().put("id", "abc")),
        Duration.ofSeconds(5)));

    assertEquals("abc", reply.json().getString("session"));
  }
}
