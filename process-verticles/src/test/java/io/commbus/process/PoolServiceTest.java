package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.DispatchTarget;
import io.commbus.coordinator.RegistryOptions;
import io.commbus.coordinator.ServiceDescriptor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolServiceTest extends ProcessFixture {

  private FileJournal journal;
  private CommBusCoordinatorVerticle coordinator;
  private String coordinatorId;

  @BeforeEach
  void startCoordinator() {
    journal = await(FileJournal.open(vertx, new FileJournalOptions(runtime.resolve("journal"))));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions().setRegistry(new RegistryOptions()
        .setHeartbeatTtl(Duration.ofMillis(400)).setCheckInterval(Duration.ofMillis(50))));
    coordinatorId = await(vertx.deployVerticle(coordinator));
  }

  @Override
  protected void afterPoolsStopped() {
    await(vertx.undeploy(coordinatorId));
    await(journal.close());
  }

  private ProcessVerticle servedPool(String name, PythonProcessConfig worker) {
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions(name).setSize(2), worker)
        .serveAs(new PoolService(coordinator).setCapabilities(List.of("echo", "python"))
            .setHeartbeatInterval(Duration.ofMillis(100)));
    return deployAndTrack(pool);
  }

  @Test
  void aPoolRegistersAsAServiceAndTakesDispatches() {
    servedPool("py-echo", worker("async_echo"));

    ServiceDescriptor service = coordinator.getService("py-echo").orElseThrow();
    assertEquals(PoolService.SERVICE_TYPE, service.serviceType());
    assertEquals(List.of("echo", "python"), service.capabilities());
    assertEquals(2 * 256, service.maxConcurrent());
    assertEquals("workers", service.metadata().get("module"));
    assertTrue(service.healthy());

    Message reply = await(coordinator.dispatch(new DispatchTarget("py-echo", "run"),
        Message.query("order", new JsonObject().put("symbol", "AAPL"))));

    assertEquals("AAPL", reply.json().getJsonObject("echo").getString("symbol"));
    JsonObject answer = await(coordinator.request("py-echo", "order", new JsonObject().put("qty", 5),
        Duration.ofSeconds(5)));
    assertEquals(5, answer.getJsonObject("result").getJsonObject("echo").getInteger("qty"));
  }

  @Test
  void aPoolWithoutReadyChildrenTurnsUnhealthyAndRecovers() {
    PythonProcessConfig worker = worker("async_echo");
    worker.getProcess().setInitialRestartDelay(Duration.ofMillis(1500));
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("py-fragile"), worker)
        .serveAs(new PoolService(coordinator).setHeartbeatInterval(Duration.ofMillis(100)));
    deployAndTrack(pool);

    long pid = await(pool.children()).getJsonObject(0).getLong("pid");
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    awaitHealth("py-fragile", false);
    assertEquals(ErrorCode.UNAVAILABLE, failure(coordinator.dispatch(new DispatchTarget("py-fragile", "run"),
        Message.query("order", new JsonObject()))).code());
    awaitHealth("py-fragile", true);
    Message reply = await(coordinator.dispatch(new DispatchTarget("py-fragile", "run"),
        Message.query("order", new JsonObject().put("n", 1))));
    assertEquals(1, reply.json().getJsonObject("echo").getInteger("n"));
  }

  @Test
  void stoppingThePoolUnregistersItsService() {
    ProcessVerticle pool = servedPool("py-leaving", worker("async_echo"));
    assertTrue(coordinator.getService("py-leaving").isPresent());

    await(vertx.undeploy(lastDeployment()));

    assertFalse(coordinator.getService("py-leaving").isPresent());
    assertEquals(ErrorCode.NO_HANDLER, failure(coordinator.dispatch(new DispatchTarget("py-leaving", "run"),
        Message.query("order", new JsonObject()))).code());
  }

  /** Waits until the coordinator's registry (a journal projection) shows the service's health. */
  private void awaitHealth(String service, boolean healthy) {
    Promise<Void> reached = Promise.promise();
    long timer = vertx.setPeriodic(10, t -> {
      if (coordinator.getService(service).map(ServiceDescriptor::healthy).orElse(!healthy) == healthy) {
        reached.tryComplete();
      }
    });
    try {
      await(reached.future());
    } finally {
      vertx.cancelTimer(timer);
    }
  }
}
