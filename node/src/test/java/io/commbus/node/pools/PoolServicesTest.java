package io.commbus.node.pools;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.DispatchTarget;
import io.commbus.coordinator.RegistryOptions;
import io.commbus.coordinator.ServiceDescriptor;
import io.commbus.process.PoolOptions;
import io.commbus.process.ProcessOptions;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.PythonProcessConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Process pools as coordinator services, with real Python children from src/test/resources/python. */
@Timeout(90)
class PoolServicesTest {

  private static final Path PYTHON = Path.of("src/test/resources/python").toAbsolutePath();

  @TempDir
  Path runtime;

  private Vertx vertx;
  private FileJournal journal;
  private CommBus bus;
  private CommBusCoordinatorVerticle coordinator;
  private String coordinatorId;
  private PoolServices services;
  private final List<String> deployments = new ArrayList<>();

  @BeforeEach
  void startCoordinator() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    journal = await(FileJournal.open(vertx, new FileJournalOptions(runtime.resolve("journal"))));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions().setRegistry(new RegistryOptions()
        .setHeartbeatTtl(Duration.ofMillis(400)).setCheckInterval(Duration.ofMillis(50))));
    coordinatorId = await(vertx.deployVerticle(coordinator));
    services = new PoolServices(vertx, coordinator);
  }

  @AfterEach
  void stopAll() {
    for (String id : deployments) {
      await(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    await(vertx.undeploy(coordinatorId));
    await(journal.close());
    await(vertx.close());
  }

  private PythonProcessConfig worker(String function) {
    return new PythonProcessConfig("node_workers", function).addPythonPath(PYTHON)
        .setProcess(new ProcessOptions().setRuntimeDirectory(runtime).setInitialRestartDelay(Duration.ofMillis(20))
            .setShutdownGrace(Duration.ofSeconds(2)));
  }

  private ProcessVerticle deploy(ProcessVerticle pool) {
    deployments.add(await(vertx.deployVerticle(pool)));
    return pool;
  }

  private ProcessVerticle servedPool(String name, PythonProcessConfig worker) {
    ProcessVerticle pool = deploy(ProcessVerticle.python(bus, new PoolOptions(name).setSize(2), worker));
    await(services.serve(pool, new PoolServiceOptions().setCapabilities(List.of("echo", "python"))
        .setHeartbeatInterval(Duration.ofMillis(100))));
    return pool;
  }

  @Test
  void aPoolRegistersAsAServiceAndTakesDispatches() {
    servedPool("py-echo", worker("echo"));

    ServiceDescriptor service = coordinator.getService("py-echo").orElseThrow();
    assertEquals(PoolServices.SERVICE_TYPE, service.serviceType());
    assertEquals(List.of("echo", "python"), service.capabilities());
    assertEquals(2 * 256, service.maxConcurrent());
    assertEquals("node_workers", service.metadata().get("module"));
    assertEquals("async", service.metadata().get("kind"));
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
    PythonProcessConfig worker = worker("echo");
    worker.getProcess().setInitialRestartDelay(Duration.ofMillis(1500));
    ProcessVerticle pool = deploy(ProcessVerticle.python(bus, new PoolOptions("py-fragile"), worker));
    await(services.serve(pool, new PoolServiceOptions().setHeartbeatInterval(Duration.ofMillis(100))));

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
    servedPool("py-leaving", worker("echo"));
    assertTrue(coordinator.getService("py-leaving").isPresent());

    await(vertx.undeploy(deployments.remove(deployments.size() - 1)));

    assertFalse(coordinator.getService("py-leaving").isPresent());
    assertEquals(ErrorCode.NO_HANDLER, failure(coordinator.dispatch(new DispatchTarget("py-leaving", "run"),
        Message.query("order", new JsonObject()))).code());
  }

  @Test
  void aStreamingPoolIsRefusedAsAService() {
    ProcessVerticle pool = deploy(ProcessVerticle.python(bus, new PoolOptions("py-count"), worker("count")));

    Throwable refused = services.serve(pool, new PoolServiceOptions())
        .transform(ar -> Future.succeededFuture(ar.cause())).await();

    assertInstanceOf(IllegalStateException.class, refused);
    assertTrue(refused.getMessage().contains("streams its replies"), refused.getMessage());
    assertFalse(coordinator.getService("py-count").isPresent());
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

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 60 s", e);
    }
  }

  private static CommBusException failure(Future<?> future) {
    Throwable cause = future.transform(ar -> Future.succeededFuture(ar.cause())).await();
    return assertInstanceOf(CommBusException.class, cause, () -> "expected a failure, got " + cause);
  }
}
