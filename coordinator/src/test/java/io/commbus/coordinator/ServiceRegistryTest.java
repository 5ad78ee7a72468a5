package io.commbus.coordinator;

import io.commbus.bus.journal.JournaledBusFixture;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.file.FileJournal;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceRegistryTest extends JournaledBusFixture {

  private ServiceRegistry registry;

  private final RegistryOptions options = new RegistryOptions()
      .setHeartbeatTtl(Duration.ofMillis(300)).setCheckInterval(Duration.ofMillis(50));

  @BeforeEach
  void start() {
    registry = await(ServiceRegistry.start(vertx, bus, options));
  }

  @AfterEach
  void stop() {
    await(registry.stop());
  }

  private static List<String> names(List<ServiceDescriptor> services) {
    return services.stream().map(ServiceDescriptor::name).collect(Collectors.toList());
  }

  @Test
  void servicesAreRegisteredListedAndUnregistered() {
    ServiceDescriptor flow = ServiceDescriptor.of("flow_service", "flow").withCapabilities(List.of("execute"))
        .withMaxConcurrent(4);
    assertTrue(await(registry.registerService(flow)));
    assertTrue(await(registry.registerService(ServiceDescriptor.of("worker_1", "worker"))));
    assertFalse(await(registry.registerService(ServiceDescriptor.of("flow_service", "other"))), "names are unique");

    assertEquals(flow, registry.getService("flow_service").orElseThrow());
    assertEquals(List.of("flow_service"), names(registry.listServices("flow", true)));
    assertEquals(List.of("flow_service", "worker_1"), names(registry.listServices()));

    assertTrue(await(registry.unregisterService("flow_service")));
    assertFalse(await(registry.unregisterService("flow_service")));
    assertTrue(registry.getService("flow_service").isEmpty());
  }

  @Test
  void aRestartedNodeRebuildsTheRegistryByReplay() {
    await(registry.registerService(ServiceDescriptor.of("a", "worker")));
    await(registry.registerService(ServiceDescriptor.of("b", "worker").withVersion("2.1.0")));
    await(registry.unregisterService("a"));
    await(registry.stop());
    await(journal.close());

    journal = await(FileJournal.open(vertx, journalOptions()));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    registry = await(ServiceRegistry.start(vertx, bus, options));

    assertEquals(List.of("b"), names(registry.listServices()));
    assertEquals("2.1.0", registry.getService("b").orElseThrow().version());
  }

  /** What a pool's stop hook meets when Vert.x closes it and the coordinator at once. */
  @Test
  void aChangeAskedOfAStoppedRegistryFailsAndIsStillJournaled() {
    await(registry.registerService(ServiceDescriptor.of("leaving", "worker")));
    await(registry.stop());

    Throwable refused = await(registry.unregisterService("leaving").transform(ar -> Future.succeededFuture(ar.cause())));

    CommBusException error = assertInstanceOf(CommBusException.class, refused);
    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.getMessage().contains("stopped before it applied"), error.getMessage());
    registry = await(ServiceRegistry.start(vertx, bus, options));
    assertTrue(registry.getService("leaving").isEmpty(), "the next registry replays the unregistration");
  }

  @Test
  void twoRegistriesOnOneJournalAgreeAndOnlyOneRegistrationOfANameWins() {
    CommBus otherBus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    ServiceRegistry other = await(ServiceRegistry.start(vertx, otherBus, options));
    Promise<String> seen = Promise.promise();
    other.onChange(seen::tryComplete);

    await(registry.registerService(ServiceDescriptor.of("shared", "worker")));
    assertEquals("shared", await(seen.future()));
    assertTrue(other.getService("shared").isPresent());

    Future<Boolean> mine = registry.registerService(ServiceDescriptor.of("contested", "worker"));
    Future<Boolean> theirs = other.registerService(ServiceDescriptor.of("contested", "flow"));
    await(Future.join(mine, theirs));
    assertEquals(1, (mine.result() ? 1 : 0) + (theirs.result() ? 1 : 0), "exactly one registration wins");
    assertEquals(registry.getService("contested"), other.getService("contested"));
    await(other.stop());
  }

  @Test
  void aMissedHeartbeatMarksAServiceUnhealthyAndAHeartbeatHealthyAgain() {
    CommBus otherBus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    ServiceRegistry other = await(ServiceRegistry.start(vertx, otherBus, options));
    Promise<Void> down = Promise.promise();
    Promise<Void> up = Promise.promise();
    registry.onChange(name -> {
      boolean healthy = registry.getService(name).map(ServiceDescriptor::healthy).orElse(true);
      if (!healthy) {
        down.tryComplete();
      } else if (down.future().isComplete()) {
        up.tryComplete();
      }
    });

    await(registry.registerService(ServiceDescriptor.of("sleepy", "worker")));
    await(down.future());   // no heartbeat within the 300 ms TTL

    assertEquals(List.of(), names(registry.listServices(null, true)));
    assertEquals(List.of("sleepy"), names(registry.listServices(null, false)));
    registry.heartbeat("sleepy");
    await(up.future());
    assertTrue(registry.getService("sleepy").orElseThrow().healthy());

    // Both registries checked the heartbeats; the journal holds each transition once.
    long downs = await(journal.read(1, 100, Set.of(ServiceRegistry.HEALTH_CHANGED))).stream()
        .filter(r -> !((io.vertx.core.json.JsonObject) r.event().body()).getBoolean("healthy")).count();
    assertEquals(1, downs);
    await(other.stop());
  }
}
