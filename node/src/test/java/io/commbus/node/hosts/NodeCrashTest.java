package io.commbus.node.hosts;

import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The node on host 1 is killed with SIGKILL, children and all, while host 2 waits on a query
 * only host 1 handles: the query fails with NODE_LEFT as soon as the cluster drops host 1, far
 * inside its deadline; the survivors keep a quorum and mark host 1's service down once; the node
 * restarted on host 1 rejoins, serves again, and its service is marked up once. Three test
 * hosts, one PostgreSQL journal, the node's default failure detection. Needs root; fails without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class NodeCrashTest {

  private static final int HOSTS = 3;
  private static final Duration START = Duration.ofSeconds(60);
  /** Far past detection (ten missed heartbeats of one second), so a failure before it is the node's leave. */
  private static final long DEADLINE_MS = 60_000;
  /** Detection, the second's grace for survivors to republish their handlers, and room for a loaded machine. */
  private static final Duration FAILED_FAST = Duration.ofSeconds(25);
  private static final Duration RESTORED = Duration.ofSeconds(30);

  private HostCluster hosts;
  @TempDir
  static Path dir;

  @BeforeAll
  void startThreeHosts() throws Exception {
    hosts = HostCluster.start(dir, "crash", new JsonObject(), START);
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void aKilledNodesCallsFailFastAndTheRestartedNodeRejoins() throws Exception {
    HostNode host2 = hosts.node(2);
    host2.until("POST", "/query", quote(), "reply.bid", 1, RESTORED);
    JsonObject stall = new JsonObject().put("type", "test.Stall").put("payload", new JsonObject())
        .put("timeoutMs", DEADLINE_MS);
    CompletableFuture<HostNode.Reply> inFlight = CompletableFuture.supplyAsync(() -> host2.post("/query", stall));
    awaitStalled();

    long killed = System.nanoTime();
    hosts.node(1).kill();
    HostNode.Reply failed = inFlight.get(DEADLINE_MS + 30_000, TimeUnit.MILLISECONDS);
    long failedAfter = ms(System.nanoTime() - killed);

    assertEquals(503, failed.status(), failed.body().encode());
    JsonObject error = failed.body().getJsonObject("error");
    assertEquals("NODE_LEFT", error.getString("code"), error.encode());
    assertTrue(failedAfter < FAILED_FAST.toMillis(), "failed " + failedAfter + " ms after the kill: " + error.encode());
    host2.getUntilAtMost("/health", "cluster.members", HOSTS - 1, FAILED_FAST);
    // Two of three are a quorum once the removal has settled (maxNoHeartbeat, 10 s, after it).
    JsonObject survivor = host2.getUntil("/health", "cluster.quorum", 1, RESTORED).body().getJsonObject("cluster");
    assertEquals(1, survivor.getInteger("missingMembers"), "killed, host 1 said no goodbye: " + survivor.encode());
    // The survivors' registry marks the service of the node that left down, once its heartbeats have stopped.
    awaitServiceHealth(host2, false);

    long restarting = System.nanoTime();
    hosts.restart(1, START);
    long rejoined = System.nanoTime();
    for (HostNode node : hosts.nodes()) {
      node.getUntil("/health", "cluster.members", HOSTS, RESTORED);
      assertEquals(0, node.get("/health").body().getJsonObject("cluster").getInteger("missingMembers"),
          node.host() + ": host 1 is back at its address");
    }
    JsonObject answer = host2.until("POST", "/query", quote(), "reply.bid", 1, RESTORED).body();
    long served = System.nanoTime();
    assertEquals(99.75, answer.getJsonObject("reply").getDouble("bid"), answer.encode());
    for (HostNode node : hosts.nodes()) {
      awaitServiceHealth(node, true);
    }
    List<Boolean> health = hosts.journal(Set.of("commbus.registry.ServiceHealthChanged")).stream()
        .map(JournalRecord::event).map(event -> ((JsonObject) event.body()).getBoolean("healthy")).toList();
    assertEquals(List.of(false, true), health, "down once when host 1 died, up once when it was back");
    System.out.printf("NodeCrashTest: the query in flight failed with NODE_LEFT %d ms after the kill (deadline %d ms);"
            + " the restarted node rejoined in %d ms and host 1's pool answered host 2 %d ms after that%n",
        failedAfter, DEADLINE_MS, ms(rejoined - restarting), ms(served - rejoined));
  }

  /** Waits, boundedly, for host 1's stall worker to write that it has the call. */
  private void awaitStalled() throws InterruptedException {
    Path marker = hosts.stallMarker();
    long deadline = System.nanoTime() + RESTORED.toNanos();
    // The worker's file is the only sign it has the call; nothing to wait on but the file system.
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (!Files.exists(marker)) {
      fail("host 1's stall worker never got the query\nhost 1 output:\n" + hosts.node(1).transcript());
    }
  }

  /** Asks {@code node}'s /services until the pricing service has {@code healthy}, at most {@link #RESTORED}. */
  private static void awaitServiceHealth(HostNode node, boolean healthy) throws InterruptedException {
    long deadline = System.nanoTime() + RESTORED.toNanos();
    JsonArray services = null;
    while (System.nanoTime() < deadline) {
      services = node.get("/services").body().getJsonArray("services");
      if (services.size() == 1 && services.getJsonObject(0).getBoolean("healthy") == healthy) {
        return;
      }
      Thread.sleep(100);   // the registry changes on heartbeats and their expiry, with nothing here to wait on
    }
    fail(node.host() + ": the pricing service did not become " + (healthy ? "healthy" : "unhealthy") + " within "
        + RESTORED.toSeconds() + " s: " + services);
  }

  private static String quote() {
    return new JsonObject().put("type", "test.Quote").put("payload", new JsonObject().put("symbol", "crash"))
        .put("timeoutMs", 2000).encode();
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
