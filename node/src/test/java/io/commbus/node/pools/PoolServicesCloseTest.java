package io.commbus.node.pools;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.process.PoolOptions;
import io.commbus.process.ProcessOptions;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.PythonProcessConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Closing Vert.x with a pool served as a coordinator service and the coordinator both still
 * deployed, as docs/process.md shows them, completes in either deployment order and leaves no
 * child running.
 */
@Timeout(120)
class PoolServicesCloseTest {

  private static final Path PYTHON = Path.of("src/test/resources/python").toAbsolutePath();
  /** Well above a graceful stop (bye, then shutdownGrace) and far below a hang. */
  private static final long CLOSE_SECONDS = 20;

  @TempDir
  Path runtime;

  private CommBusCoordinatorVerticle coordinator;

  @Test
  void vertxClosesWithTheCoordinatorDeployedFirst() {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    CommBus bus = journaledBus(vertx);
    deployCoordinator(vertx, bus);
    ProcessVerticle pool = deployPool(vertx, bus);
    await(new PoolServices(vertx, coordinator).serve(pool, new PoolServiceOptions()));

    closeAndCheck(vertx, pids(pool));
  }

  @Test
  void vertxClosesWithThePoolDeployedFirst() {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    CommBus bus = journaledBus(vertx);
    ProcessVerticle pool = deployPool(vertx, bus);
    deployCoordinator(vertx, bus);
    await(new PoolServices(vertx, coordinator).serve(pool, new PoolServiceOptions()));

    closeAndCheck(vertx, pids(pool));
  }

  private CommBus journaledBus(Vertx vertx) {
    FileJournal journal = await(FileJournal.open(vertx, new FileJournalOptions(runtime.resolve("journal"))));
    return CommBus.create(vertx, new CommBusOptions().setJournal(journal));
  }

  private void deployCoordinator(Vertx vertx, CommBus bus) {
    coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions());
    await(vertx.deployVerticle(coordinator));
  }

  private ProcessVerticle deployPool(Vertx vertx, CommBus bus) {
    PythonProcessConfig worker = new PythonProcessConfig("node_workers", "echo").addPythonPath(PYTHON)
        .setProcess(new ProcessOptions().setRuntimeDirectory(runtime).setShutdownGrace(Duration.ofSeconds(2)));
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("py-closing").setSize(2), worker);
    await(vertx.deployVerticle(pool));
    return pool;
  }

  private static List<Long> pids(ProcessVerticle pool) {
    JsonArray children = await(pool.children());
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      pids.add(children.getJsonObject(i).getLong("pid"));
    }
    assertEquals(2, pids.size());
    return pids;
  }

  private static void closeAndCheck(Vertx vertx, List<Long> pids) {
    try {
      vertx.close().await(CLOSE_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      List<Long> alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
          .toList();
      for (long pid : alive) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      fail("vertx.close() did not complete within " + CLOSE_SECONDS + " s; children still alive: " + alive);
    }
    for (long pid : pids) {
      assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "child " + pid + " outlived Vert.x");
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 60 s", e);
    }
  }
}
