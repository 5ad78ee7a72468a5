package io.commbus.node.hosts;

import io.commbus.testhosts.TestNetwork;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A partition and its heal on three {@code commbus node} processes (three test hosts, one
 * PostgreSQL journal, as in {@link MultiHostTest}), with failure detection made fast: host 3's
 * link is cut until both sides have removed the other, then healed until Hazelcast has merged
 * the two clusters again. After the merge, host 3 must reach host 1's pool again and host 1's
 * publishes must reach host 3's subscriber, within seconds. Needs root; fails without it.
 */
// Not in `mvn verify` yet: the merge after the heal did not come within 30 s in 3 of 6 runs here
// (with and without the cluster view), cause not found; see docs/operations.md.
@Tag("partition")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PartitionTest {

  private static final Path POSTGRES_SOCKET_DIRECTORY = Path.of("/var/run/postgresql");
  private static final int HOSTS = 3;
  private static final Duration START = Duration.ofSeconds(60);
  /** Five missed heartbeats of one second remove a member; merges are looked for every 2 s after the first 4 s. */
  private static final String MAX_NO_HEARTBEAT = "5s";
  /**
   * How long each side may take to see the split: the 5 s of silence, plus the heartbeat round
   * that notices it, with room for a machine whose two cores are loaded several deep.
   */
  private static final Duration SPLIT_SEEN = Duration.ofSeconds(25);
  /** The merge: the next merge look (every 2 s), the join and the data merge; loaded, as above. */
  private static final Duration MERGED = Duration.ofSeconds(30);
  /** Cross-node calls after the merge: "within seconds", with the load's room. */
  private static final Duration RESTORED = Duration.ofSeconds(15);

  private HostCluster hosts;
  private List<HostNode> nodes = List.of();
  @TempDir
  static Path dir;
  private TestNetwork network;

  @BeforeAll
  void startThreeHosts() throws Exception {
    // Fast failure detection, so a short cut splits the cluster and a heal merges it soon.
    hosts = HostCluster.start(dir, "partition", new JsonObject().put("heartbeatInterval", "1s")
        .put("maxNoHeartbeat", MAX_NO_HEARTBEAT).put("mergeFirstRunDelay", "4s").put("mergeNextRunDelay", "2s"), START);
    nodes = hosts.nodes();
    network = hosts.network();
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (hosts != null) {
      hosts.close();
    }
  }

  private HostNode node(int n) {
    return hosts.node(n);
  }

  @Test
  void afterACutHost3IsHealedAndMergedItsCallsAndEventsCrossAgain() {
    HostNode host1 = node(1);
    HostNode host3 = node(3);
    host3.until("POST", "/query", quote("before"), "reply.bid", 1, RESTORED);
    awaitEvent(host1, host3, RESTORED, "before the cut");

    long cut = System.nanoTime();
    network.cut(host3.host());
    host3.getUntilAtMost("/health", "cluster.members", 1, SPLIT_SEEN);
    host1.getUntilAtMost("/health", "cluster.members", HOSTS - 1, SPLIT_SEEN);
    long split = System.nanoTime();
    for (HostNode side : List.of(host1, host3)) {
      JsonObject seen = side.get("/health").body().getJsonObject("cluster");
      assertEquals("MEMBERS_LOST", seen.getString("state"), side.host() + " reports the split: " + seen.encode());
      assertEquals(HOSTS, seen.getInteger("mostMembersSeen"), seen.encode());
    }

    network.heal(host3.host());
    for (HostNode node : nodes) {
      node.getUntil("/health", "cluster.members", HOSTS, MERGED);
    }
    long merged = System.nanoTime();
    for (HostNode node : nodes) {
      // The member count comes back before Hazelcast says the merge is over (MERGING, then WHOLE).
      awaitClusterState(node, "WHOLE", MERGED);
    }

    JsonObject answer = host3.until("POST", "/query", quote("after"), "reply.bid", 1, RESTORED).body();
    long queried = System.nanoTime();
    assertEquals(99.75, answer.getJsonObject("reply").getDouble("bid"), "host 1's pool answered: " + answer.encode());
    awaitEvent(host1, host3, RESTORED, "after the merge");
    long evented = System.nanoTime();
    System.out.printf("PartitionTest: split seen %d ms after the cut, merged %d ms after the heal;"
            + " host 3's query answered %d ms and host 1's event seen on host 3 %d ms after the merge%n",
        ms(split - cut), ms(merged - split), ms(queried - merged), ms(evented - merged));
  }

  /** Asks {@code node}'s /health until its cluster state is {@code state}, at most {@code within}. */
  private static void awaitClusterState(HostNode node, String state, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject seen = null;
    while (System.nanoTime() < deadline) {
      seen = node.get("/health").body().getJsonObject("cluster");
      if (state.equals(seen.getString("state"))) {
        return;
      }
    }
    fail(node.host() + " did not report " + state + " within " + within.toSeconds() + " s: " + seen);
  }

  /** A query from a host to host 1's pricing pool, answering fast so a failing one is retried soon. */
  private static String quote(String symbol) {
    return new JsonObject().put("type", "test.Quote").put("payload", new JsonObject().put("symbol", symbol))
        .put("timeoutMs", 2000).encode();
  }

  /** Publishes a warm-up event on {@code from} until {@code to}'s subscriber has one more than before. */
  private static void awaitEvent(HostNode from, HostNode to, Duration within, String when) {
    int before = warmups(to);
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject event = new JsonObject().put("type", "test.Tick").put("payload", new JsonObject().put("warmup", true));
    while (System.nanoTime() < deadline) {
      assertEquals(200, from.post("/publish", event).status(), from.host() + " publishes");
      if (warmups(to) > before) {
        return;
      }
    }
    fail(when + ": no event published on " + from.host() + " reached the subscriber on " + to.host() + " within "
        + within.toSeconds() + " s\n" + to.host() + " output:\n" + to.transcript());
  }

  private static int warmups(HostNode node) {
    HostNode.Reply seen = node.post("/query", new JsonObject().put("type", "test.Seen" + node.host().index())
        .put("payload", new JsonObject()).put("timeoutMs", 10_000));
    return seen.body().getJsonObject("reply").getInteger("warmups");
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
