package io.commbus.coordinator;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closing Vert.x with a busy coordinator still deployed (and its journal open) completes. */
class CoordinatorCloseTest {

  @TempDir
  Path directory;

  @RepeatedTest(3)
  @Timeout(60)
  void vertxClosesWithTheCoordinatorDeployed() throws Exception {
    Vertx vertx = Vertx.vertx();
    FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(directory.resolve("journal")))
        .await(10, TimeUnit.SECONDS);
    CommBus bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    CommBusCoordinatorVerticle coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions());
    vertx.deployVerticle(coordinator).await(10, TimeUnit.SECONDS);
    coordinator.registerService(ServiceDescriptor.of("pricing", "worker")).await(10, TimeUnit.SECONDS);
    coordinator.heartbeat("pricing");
    coordinator.dispatch(new DispatchTarget("pricing", "quote"), Message.query("q", new JsonObject()))
        .transform(ar -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);

    vertx.close().await(20, TimeUnit.SECONDS);

    assertTrue(vertx.deploymentIDs().isEmpty(), "the coordinator was undeployed by close");
  }
}
