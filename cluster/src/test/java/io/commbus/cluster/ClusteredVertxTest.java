package io.commbus.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.internal.VertxInternal;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusteredVertxTest {

  @Test
  void defaultsJoinOverTcpOnLoopbackWithMulticastOff() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings());
    JoinConfig join = config.getNetworkConfig().getJoin();

    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1"), join.getTcpIpConfig().getMembers());
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("commbus", config.getClusterName());
  }

  @Test
  void vertxMapsAreKeptFromTheDefaultConfig() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings());
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"), "Vert.x needs its subscription map");
  }

  @Test
  void settingsRejectAnImpossiblePort() {
    assertThrows(IllegalArgumentException.class, () -> new ClusterSettings().setPort(70000));
  }

  @Test
  void failureDetectionDefaultsSuitALan() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings());
    assertEquals("1", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("10", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("10", config.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("5", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
    assertEquals("30", config.getProperty("hazelcast.max.join.seconds"));
  }

  @Test
  void hazelcastConfigCarriesTheSettings() {
    ClusterSettings settings = new ClusterSettings()
        .setHeartbeatInterval(Duration.ofSeconds(2))
        .setMaxNoHeartbeat(Duration.ofSeconds(7))
        .setMergeFirstRunDelay(Duration.ofSeconds(20))
        .setMergeNextRunDelay(Duration.ofSeconds(3))
        .setJoinTimeout(Duration.ofSeconds(15))
        .setPublicHost("192.0.2.10")
        .setPublicPort(6701);
    Config config = ClusteredVertx.hazelcastConfig(settings);

    assertEquals("2", config.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("7", config.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("20", config.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("3", config.getProperty("hazelcast.merge.next.run.delay.seconds"));
    assertEquals("15", config.getProperty("hazelcast.max.join.seconds"));
    // Only written into the configuration: nothing is started, so nothing is sent to it.
    assertEquals("192.0.2.10:6701", config.getNetworkConfig().getPublicAddress());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
  }

  @Test
  void aHostNameIsResolvedToTheAddressOfItsInterface() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings().setHost("localhost"));
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("127.0.0.1", config.getNetworkConfig().getPublicAddress());
  }

  @Test
  void settingsStateTheirBounds() {
    ClusterSettings settings = new ClusterSettings();
    assertEquals("must be at least 1 s, was 0 ms",
        assertThrows(IllegalArgumentException.class, () -> settings.setHeartbeatInterval(Duration.ZERO)).getMessage());
    assertEquals("must be at most 60 s, was 61 s",
        assertThrows(IllegalArgumentException.class, () -> settings.setHeartbeatInterval(Duration.ofSeconds(61)))
            .getMessage());
    assertEquals("must be whole seconds, was 1500 ms",
        assertThrows(IllegalArgumentException.class, () -> settings.setMaxNoHeartbeat(Duration.ofMillis(1500)))
            .getMessage());
    assertEquals("must be at least 0, was -1",
        assertThrows(IllegalArgumentException.class, () -> settings.setEventBusPort(-1)).getMessage());
    assertEquals("must be at least 1, was 0",
        assertThrows(IllegalArgumentException.class, () -> settings.setMinimumMembers(0)).getMessage());
    assertEquals("must not be empty",
        assertThrows(IllegalArgumentException.class, () -> settings.setPublicHost(" ")).getMessage());

    settings.setHeartbeatInterval(Duration.ofSeconds(5)).setMaxNoHeartbeat(Duration.ofSeconds(9));
    assertEquals("maxNoHeartbeat: must be at least 2 times heartbeatInterval (10 s), was 9 s",
        assertThrows(IllegalArgumentException.class, settings::validate).getMessage());
    assertNull(settings.setMaxNoHeartbeat(Duration.ofSeconds(10)).maxNoHeartbeatProblem());
  }

  @Test
  void aMemberReportsMembersLostWhenOneGoesAndWholeWhenItIsBack() throws Exception {
    int hazelcastA = freePort();
    int hazelcastB = freePort();
    String name = "commbus-view-test-" + UUID.randomUUID();
    List<String> members = List.of("127.0.0.1:" + hazelcastA, "127.0.0.1:" + hazelcastB);
    ClusterSettings a = new ClusterSettings().setClusterName(name).setPort(hazelcastA).setMembers(members);
    ClusterSettings b = new ClusterSettings().setClusterName(name).setPort(hazelcastB).setMembers(members);
    Cluster nodeA = await(ClusteredVertx.join(a, new io.vertx.core.VertxOptions()));
    try {
      assertEquals(new ClusterHealth("WHOLE", nodeA.health().since(), 1, 1, true, 0), nodeA.health());
      Cluster nodeB = await(ClusteredVertx.join(b, new io.vertx.core.VertxOptions()));
      awaitHealth(nodeA, "WHOLE", 2);
      assertEquals(2, nodeA.health().mostMembersSeen());
      await(nodeB.vertx().close());
      ClusterHealth lost = awaitHealth(nodeA, "MEMBERS_LOST", 1);
      assertEquals(2, lost.mostMembersSeen(), lost.toString());
      // B said goodbye as it stopped, so A alone is still the whole of what is left: not missing, a quorum.
      ClusterHealth afterGoodbye = awaitQuorum(nodeA);
      assertEquals(0, afterGoodbye.missingMembers(), afterGoodbye.toString());

      Cluster again = await(ClusteredVertx.join(b, new io.vertx.core.VertxOptions()));
      try {
        ClusterHealth whole = awaitHealth(nodeA, "WHOLE", 2);
        assertTrue(whole.since().isAfter(lost.since()), "since when it is whole again: " + whole);
      } finally {
        await(again.vertx().close());
      }
    } finally {
      await(nodeA.vertx().close());
    }
  }

  /** Waits, boundedly, until {@code cluster} reports {@code state} with {@code members} members. */
  private static ClusterHealth awaitHealth(Cluster cluster, String state, int members) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    ClusterHealth seen = cluster.health();
    while (System.nanoTime() < deadline) {
      seen = cluster.health();
      if (seen.state().equals(state) && seen.members() == members) {
        return seen;
      }
      Thread.sleep(20);   // membership events reach the view on Hazelcast's threads, with nothing to wait on
    }
    throw new AssertionError("want " + state + " with " + members + " members, the view is " + seen);
  }

  /** Waits, boundedly, until {@code cluster} reports a quorum: the goodbye lookup completes on Hazelcast's threads. */
  private static ClusterHealth awaitQuorum(Cluster cluster) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!cluster.hasQuorum() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(cluster.hasQuorum(), "no quorum: " + cluster.health());
    return cluster.health();
  }

  @Test
  void twoMembersWithFixedEventBusPortsExchangeAMessage() throws Exception {
    int hazelcastA = freePort();
    int hazelcastB = freePort();
    int eventBusA = freePort();
    int eventBusB = freePort();
    String name = "commbus-ports-test-" + UUID.randomUUID();
    List<String> members = List.of("127.0.0.1:" + hazelcastA, "127.0.0.1:" + hazelcastB);
    ClusterSettings a = new ClusterSettings().setClusterName(name).setPort(hazelcastA).setMembers(members)
        .setEventBusPort(eventBusA);
    ClusterSettings b = new ClusterSettings().setClusterName(name).setPort(hazelcastB).setMembers(members)
        .setEventBusPort(eventBusB);
    Cluster nodeA = await(ClusteredVertx.join(a, new io.vertx.core.VertxOptions()));
    try {
      Cluster nodeB = await(ClusteredVertx.join(b, new io.vertx.core.VertxOptions()));
      try {
        assertEquals(2, nodeA.members().size(), "the two nodes did not form one cluster");
        NodeInfo infoA = nodeA.manager().getNodeInfo();
        assertEquals(eventBusA, infoA.port(), "node A advertises its fixed event-bus port");
        assertEquals(eventBusB, nodeB.manager().getNodeInfo().port());
        try (Socket socket = new Socket("127.0.0.1", eventBusA)) {
          assertTrue(socket.isConnected(), "node A's event bus listens on " + eventBusA);
        }

        await(nodeB.vertx().eventBus().<String>consumer("ports.echo", m -> m.reply("B got " + m.body()))
            .completion());
        assertEquals("B got hello", await(nodeA.vertx().eventBus().<String>request("ports.echo", "hello")).body());
      } finally {
        await(nodeB.vertx().close());
      }
    } finally {
      await(nodeA.vertx().close());
    }
  }

  @Test
  void theEventBusAdvertisesItsPublicPort() throws Exception {
    int eventBus = freePort();
    int advertised = freePort();
    int hazelcast = freePort();
    ClusterSettings settings = new ClusterSettings().setClusterName("commbus-public-test-" + UUID.randomUUID())
        .setPort(hazelcast).setMembers(List.of("127.0.0.1:" + hazelcast))
        .setEventBusPort(eventBus).setEventBusPublicPort(advertised).setPublicHost("localhost");
    Cluster node = await(ClusteredVertx.join(settings, new io.vertx.core.VertxOptions()));
    try {
      NodeInfo info = node.manager().getNodeInfo();
      assertEquals("localhost", info.host());
      assertEquals(advertised, info.port());
      try (Socket socket = new Socket("127.0.0.1", eventBus)) {
        assertTrue(socket.isConnected());
      }
    } finally {
      await(node.vertx().close());
    }
  }

  @Test
  void aHostNameIsAcceptedAsTheClusterHost() throws Exception {
    int hazelcast = freePort();
    ClusterSettings settings = new ClusterSettings().setClusterName("commbus-name-test-" + UUID.randomUUID())
        .setHost("localhost").setPort(hazelcast).setMembers(List.of("localhost:" + hazelcast));
    Vertx vertx = await(ClusteredVertx.start(settings));
    try {
      assertEquals(1, ((VertxInternal) vertx).clusterManager().getNodes().size());
      assertEquals("127.0.0.1", ((VertxInternal) vertx).clusterManager().getNodeInfo().host());
    } finally {
      await(vertx.close());
    }
  }

  @Test
  void aLoopbackHostWithAMemberOnAnotherMachineFailsAtOnce() {
    // 192.0.2.1 is a documentation address (RFC 5737); the check refuses before Hazelcast starts, so nothing is sent.
    ClusterSettings settings = new ClusterSettings().setClusterName("commbus-loopback-test-" + UUID.randomUUID())
        .setPort(freePortUnchecked()).setMembers(List.of("127.0.0.1", "192.0.2.1:5701"));
    long start = System.nanoTime();
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> ClusteredVertx.start(settings).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0, "not at once");
    assertTrue(failure.getCause() instanceof IllegalArgumentException, String.valueOf(failure.getCause()));
    assertTrue(failure.getCause().getMessage().startsWith("cluster host 127.0.0.1 is a loopback address, and member "
        + "192.0.2.1:5701 is on another machine"), failure.getCause().getMessage());
  }

  @Test
  void aStartThatReachesNoMemberFailsWithinTheJoinTimeout() throws Exception {
    int hazelcast = freePort();
    // Nobody listens there: the port was free a moment ago and stays closed.
    String nobody = "127.0.0.1:" + freePort();
    ClusterSettings settings = new ClusterSettings().setClusterName("commbus-timeout-test-" + UUID.randomUUID())
        .setPort(hazelcast).setMembers(List.of(nobody)).setMinimumMembers(2).setJoinTimeout(Duration.ofSeconds(3));
    long start = System.nanoTime();
    ExecutionException failure = assertThrows(ExecutionException.class,
        () -> ClusteredVertx.start(settings).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(Duration.ofSeconds(3)) >= 0, "failed before the timeout: " + took);
    // The timeout counts from the call, so the failure comes at its bound, not some time after it.
    assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
    String message = failure.getCause().getMessage();
    assertTrue(message.startsWith("not joined to cluster \"" + settings.getClusterName() + "\" within 3 s (joinTimeout): "
        + "tried members [" + nobody + "] from 127.0.0.1:" + hazelcast), message);
    // What the start had begun is closed, not left running into the next test.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!com.hazelcast.core.Hazelcast.getAllHazelcastInstances().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);   // Hazelcast says nothing when an instance is gone
    }
    assertEquals(java.util.Set.of(), com.hazelcast.core.Hazelcast.getAllHazelcastInstances(),
        "the member the timed-out start built was closed");
  }

  private static <T> T await(Future<T> future) throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static int freePortUnchecked() {
    try {
      return freePort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
