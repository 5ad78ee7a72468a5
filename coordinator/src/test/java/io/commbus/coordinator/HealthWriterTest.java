package io.commbus.coordinator;

import io.commbus.bus.journal.JournaledBusFixture;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who writes a service's health: the registries here share one bus and journal, and each is
 * given the view of the cluster a node would have, so the rule is seen at work in each case a
 * split or a crash brings.
 */
class HealthWriterTest extends JournaledBusFixture {

  private final List<ServiceRegistry> registries = new ArrayList<>();

  /** A node's view of the cluster, set by the test; counts how often the registry asked for the quorum. */
  private static final class View implements ClusterSight {
    private final String self;
    private volatile List<String> members;
    private volatile boolean quorum;
    private volatile CountDownLatch asked = new CountDownLatch(0);

    View(String self, List<String> members, boolean quorum) {
      this.self = self;
      this.members = members;
      this.quorum = quorum;
    }

    @Override
    public String self() {
      return self;
    }

    @Override
    public View view() {
      asked.countDown();
      return new View(members, quorum);
    }

    /** Waits until the registry has judged health a few more times with the view as it is now. */
    void awaitChecks() throws InterruptedException {
      CountDownLatch checks = new CountDownLatch(5);
      asked = checks;
      assertTrue(checks.await(10, TimeUnit.SECONDS), "the registry stopped checking");
    }
  }

  private ServiceRegistry start(View view) {
    ServiceRegistry registry = await(ServiceRegistry.start(vertx, bus, new RegistryOptions()
        .setHeartbeatTtl(Duration.ofMillis(200)).setCheckInterval(Duration.ofMillis(20)).setClusterSight(view)));
    registries.add(registry);
    return registry;
  }

  @AfterEach
  void stopRegistries() {
    registries.forEach(registry -> await(registry.stop()));
  }

  private long healthEvents() {
    return await(journal.read(1, 1000, Set.of(ServiceRegistry.HEALTH_CHANGED))).size();
  }

  /** Completes once {@code registry} sees the service at {@code healthy}. */
  private static Future<Void> becomes(ServiceRegistry registry, String name, boolean healthy) {
    Promise<Void> seen = Promise.promise();
    registry.onChange(changed -> {
      if (changed.equals(name) && registry.getService(name).map(s -> s.healthy() == healthy).orElse(false)) {
        seen.tryComplete();
      }
    });
    return seen.future();
  }

  private static boolean healthy(ServiceRegistry registry, String name) {
    return registry.getService(name).orElseThrow().healthy();
  }

  @Test
  void aNodeWithoutAQuorumWritesNoHealthEvenForItsOwnService() throws Exception {
    View cutOff = new View("a", List.of("a"), false);
    ServiceRegistry registry = start(cutOff);
    await(registry.registerService(ServiceDescriptor.of("svc", "worker")));

    cutOff.awaitChecks();   // no heartbeat for far longer than its 200 ms time to live

    assertTrue(healthy(registry, "svc"));
    assertEquals(0, healthEvents());

    Future<Void> down = becomes(registry, "svc", false);
    cutOff.quorum = true;
    await(down);   // with the quorum back, its owner marks it down
    assertEquals(1, healthEvents());
  }

  @Test
  void aServiceWhoseOwnerIsInViewIsLeftToItsOwner() throws Exception {
    // The owner, a, is cut off from the quorum; b still sees it in its view.
    View ownerView = new View("a", List.of("a", "b"), false);
    View otherView = new View("b", List.of("a", "b"), true);
    ServiceRegistry owner = start(ownerView);
    ServiceRegistry other = start(otherView);
    await(owner.registerService(ServiceDescriptor.of("svc", "worker")));

    otherView.awaitChecks();   // b asks for the quorum only once it has the service, and its heartbeat expired
    assertTrue(healthy(other, "svc"), "b does not judge a service a owns while a is in its view");
    assertEquals(0, healthEvents());

    // a leaves b's view: b, the least member id of what it sees, speaks for a now.
    Future<Void> down = becomes(other, "svc", false);
    otherView.members = List.of("b");
    await(down);
    assertEquals(1, healthEvents());
  }

  @Test
  void onlyTheLeastMemberOfAViewSpeaksForAMemberThatLeft() throws Exception {
    View gone = new View("a", List.of("a", "b", "c"), false);
    View speaker = new View("b", List.of("b", "c"), false);
    View bystander = new View("c", List.of("b", "c"), true);
    ServiceRegistry owner = start(gone);
    start(speaker);
    ServiceRegistry c = start(bystander);
    await(owner.registerService(ServiceDescriptor.of("svc", "worker")));

    bystander.awaitChecks();
    assertTrue(healthy(c, "svc"), "c sees b, which speaks for a; b has no quorum yet");
    assertEquals(0, healthEvents());

    Future<Void> down = becomes(c, "svc", false);
    speaker.quorum = true;
    await(down);
    assertEquals(1, healthEvents());
  }

  @Test
  void theOwnerMarksItsServiceUpAgainOnItsNextHeartbeat() throws Exception {
    View ownerView = new View("a", List.of("a", "b"), true);
    View otherView = new View("b", List.of("a", "b"), true);
    ServiceRegistry owner = start(ownerView);
    ServiceRegistry other = start(otherView);
    // Both registries have it down before the heartbeat: one that comes while the owner still
    // has it up changes nothing, and no other heartbeat follows.
    Future<?> down = Future.all(becomes(owner, "svc", false), becomes(other, "svc", false));
    await(owner.registerService(ServiceDescriptor.of("svc", "worker")));
    await(down);

    Future<Void> up = becomes(other, "svc", true);
    owner.heartbeat("svc");
    await(up);
    ownerView.quorum = false;   // no further heartbeat comes: the owner would mark it down again 200 ms on
    otherView.quorum = false;

    List<Boolean> written = await(journal.read(1, 1000, Set.of(ServiceRegistry.HEALTH_CHANGED))).stream()
        .map(record -> ((JsonObject) record.event().body()).getBoolean("healthy")).toList();
    assertEquals(List.of(false, true), written, "down once, up once, each written by the owner alone");
  }
}
