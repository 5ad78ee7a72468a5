package io.commbus.node.hosts;

import io.commbus.bus.journal.JournalRecord;
import io.commbus.testhosts.TestNetwork;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Partitions and their heal on three {@code commbus node} processes (three test hosts, one
 * PostgreSQL journal, as in {@link MultiHostTest}), with the node's default failure detection:
 * host 3's link is cut for 15 s, then for 75 s, and healed. During each cut both sides report the
 * split, host 3 alone has no quorum, calls across the cut fail within their deadline, and
 * publishes on both sides are acknowledged. After each merge, host 3 reaches host 1's pool and
 * events cross both ways within seconds; every acknowledged event is in the journal once; and
 * the registry wrote no health change (its only service lives on host 1, with the majority).
 * Needs root; fails without it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class PartitionTest {

  private static final int HOSTS = 3;
  private static final Duration START = Duration.ofSeconds(60);
  /**
   * How long each side may take to see the split: ten missed heartbeats of one second (the
   * defaults), the heartbeat round that notices it, the survivors' claim of mastership (seconds,
   * when the master is on the other side), and room for a machine whose two cores run three nodes.
   */
  private static final Duration SPLIT_SEEN = Duration.ofSeconds(25);
  /**
   * The merge after the heal: the next merge look (every 5 s by default), the join and the data
   * merge, with the same room.
   */
  private static final Duration MERGED = Duration.ofSeconds(40);
  /** Cross-node calls and events after the merge: the bound. */
  private static final Duration RESTORED = Duration.ofSeconds(30);
  /** The deadline of the calls made across the cut. */
  private static final long CALL_TIMEOUT_MS = 2000;
  private static final String SPLIT_TICK = "test.SplitTick";
  private static final int PUBLISHES_PER_SIDE = 20;
  /** Events for the consumer group after each merge. */
  private static final int WORK = 20;

  private HostCluster hosts;
  @TempDir
  static Path dir;
  private TestNetwork network;
  /** The position each acknowledged publish was given, by its "from/seq". */
  private final Map<String, Long> acknowledged = new HashMap<>();

  @BeforeAll
  void startThreeHosts() throws Exception {
    hosts = HostCluster.start(dir, "partition", new JsonObject(), START);
    network = hosts.network();
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  @Order(1)
  void afterAFifteenSecondCutTheClusterIsWholeAndNothingFlapped() throws Exception {
    cutAndHeal("short", Duration.ofSeconds(15));
  }

  @Test
  @Order(2)
  void afterASeventyFiveSecondCutTheClusterIsWholeAndNothingFlapped() throws Exception {
    cutAndHeal("long", Duration.ofSeconds(75));
  }

  private void cutAndHeal(String label, Duration cutFor) throws InterruptedException {
    HostNode host1 = hosts.node(1);
    HostNode host3 = hosts.node(3);
    host3.until("POST", "/query", quote("before"), "reply.bid", 1, RESTORED);
    awaitEvent(host1, host3, RESTORED, "before the cut");
    awaitEvent(host3, host1, RESTORED, "before the cut");

    long cut = System.nanoTime();
    network.cut(host3.host());
    try {
      cutFor(label, cutFor, cut);
    } finally {
      // Healed even when a check failed, so the next scenario starts from a whole cluster.
      network.heal(host3.host());
    }
  }

  private void cutFor(String label, Duration cutFor, long cut) throws InterruptedException {
    HostNode host1 = hosts.node(1);
    HostNode host3 = hosts.node(3);
    host3.getUntilAtMost("/health", "cluster.members", 1, SPLIT_SEEN);
    host1.getUntilAtMost("/health", "cluster.members", HOSTS - 1, SPLIT_SEEN);
    long split = System.nanoTime();
    // The majority claims its quorum once the removal has settled (maxNoHeartbeat after it).
    JsonObject majority = host1.getUntil("/health", "cluster.quorum", 1, SPLIT_SEEN).body().getJsonObject("cluster");
    JsonObject minority = cluster(host3);
    for (JsonObject seen : List.of(minority, majority)) {
      assertEquals("MEMBERS_LOST", seen.getString("state"), "each side reports the split: " + seen.encode());
      assertEquals(HOSTS, seen.getInteger("mostMembersSeen"), seen.encode());
    }
    assertFalse(minority.getBoolean("quorum"), "host 3 alone is no majority: " + minority.encode());
    assertEquals(HOSTS - 1, minority.getInteger("missingMembers"), minority.encode());
    assertTrue(majority.getBoolean("quorum"), "hosts 1 and 2 are: " + majority.encode());
    assertEquals(1, majority.getInteger("missingMembers"), majority.encode());

    // Both sides still reach the journal, so both acknowledge what they publish.
    publishDuringTheSplit(host1, label);
    publishDuringTheSplit(host3, label);
    // A call across the cut fails at once: no member host 3 still sees handles it. (Vert.x may
    // still route it to host 1, where it would be lost and wait its whole deadline.)
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HostNode.Reply across = host3.post("/query", new JsonObject(quote("during")));
      assertEquals(404, across.status(), across.body().encode());
      assertEquals("NO_HANDLER", across.body().getJsonObject("error").getString("code"), across.body().encode());
      assertTrue(across.ms() < CALL_TIMEOUT_MS / 2, "answered in " + across.ms() + " ms: " + across.body().encode());
      codes.add("NO_HANDLER " + Math.round(across.ms()) + " ms");
    }
    String code = String.join(", ", codes);

    // The cut lasts as long as the scenario says (a duration, not a wait for an event), or until
    // the checks of the split are done, when detection and they took longer.
    long remaining = cut + cutFor.toNanos() - System.nanoTime();
    if (remaining > 0) {
      Thread.sleep(remaining / 1_000_000);
    }
    network.heal(host3.host());
    long healed = System.nanoTime();
    for (HostNode node : hosts.nodes()) {
      node.getUntil("/health", "cluster.members", HOSTS, MERGED);
    }
    for (HostNode node : hosts.nodes()) {
      // The member count comes back before Hazelcast says the merge is over (MERGING, then WHOLE).
      awaitCluster(node, "WHOLE", MERGED);
    }
    long merged = System.nanoTime();

    JsonObject answer = host3.until("POST", "/query", quote("after"), "reply.bid", 1, RESTORED).body();
    long queried = System.nanoTime();
    assertEquals(99.75, answer.getJsonObject("reply").getDouble("bid"), "host 1's pool answered: " + answer.encode());
    awaitEvent(host1, host3, RESTORED, "after the merge");
    awaitEvent(host3, host1, RESTORED, "after the merge");
    long evented = System.nanoTime();

    // What else crosses the hosts is back too: a callback on host 3 used from host 1, and the
    // consumer group whose members are on both sides of the cut.
    int ticks = CrossHostChecks.callbackLeftEarly(hosts, RESTORED);
    CrossHostChecks.Shared shared = sharedAgain(label);

    assertEveryAcknowledgedEventOnce();
    List<JournalRecord> health = hosts.journal(Set.of("commbus.registry.ServiceHealthChanged"));
    assertEquals(List.of(), health.stream().map(r -> r.event().body().toString()).toList(),
        "no node may change the health of host 1's service: host 1 hears its heartbeats, host 3 has no quorum");
    for (HostNode node : hosts.nodes()) {
      JsonArray services = node.get("/services").body().getJsonArray("services");
      assertEquals(1, services.size(), node.host() + ": " + services.encode());
      assertTrue(services.getJsonObject(0).getBoolean("healthy"), node.host() + ": " + services.encode());
    }
    System.out.printf("PartitionTest %s cut (%d s asked, %d ms held): split seen %d ms after the cut; merged %d ms"
            + " after the heal; during it queries across the cut got %s; host 3's query answered %d ms and events"
            + " crossed both ways %d ms after the merge; host 3's callback had written %d ticks when the"
            + " cancel came; the group shared %d events as %s%n", label, cutFor.toSeconds(), ms(healed - cut),
        ms(split - cut), ms(merged - healed), code, ms(queried - merged), ms(evented - merged), ticks, WORK,
        shared.byHost());
  }

  /**
   * Batches of group events until one is shared by both members, hosts 2 and 3, at most
   * {@link #RESTORED}: host 3's membership reaches the dispatcher some time after the merge.
   * Every batch is handled once each, shared or not.
   */
  private CrossHostChecks.Shared sharedAgain(String label) {
    long deadline = System.nanoTime() + RESTORED.toNanos();
    for (int batch = 0; ; batch++) {
      CrossHostChecks.Shared shared = CrossHostChecks.workShared(hosts, label + batch, WORK, RESTORED);
      assertEquals(0, shared.duplicates(), "each event once: " + shared);
      if (shared.byHost().size() == 2) {
        return shared;
      }
      if (System.nanoTime() > deadline) {
        fail("hosts 2 and 3 did not both have a share of the group's events within " + RESTORED.toSeconds()
            + " s of the merge: " + shared);
      }
    }
  }

  private void publishDuringTheSplit(HostNode node, String label) {
    String from = label + "/" + node.host().name();
    String body = new JsonObject().put("type", SPLIT_TICK)
        .put("payload", new JsonObject().put("from", from).put("seq", "$i")).encode();
    List<HostNode.Reply> replies = node.calls("POST", "/publish", body, PUBLISHES_PER_SIDE);
    for (int i = 0; i < replies.size(); i++) {
      HostNode.Reply reply = replies.get(i);
      assertEquals(200, reply.status(), node.host() + " publishes during the split: " + reply.body().encode());
      acknowledged.put(from + "/" + i, reply.body().getLong("position"));
    }
  }

  /** Every publish acknowledged so far is in the journal exactly once, at the position it was given. */
  private void assertEveryAcknowledgedEventOnce() {
    Map<String, List<Long>> found = new HashMap<>();
    for (JournalRecord record : hosts.journal(Set.of(SPLIT_TICK))) {
      JsonObject body = (JsonObject) record.event().body();
      found.computeIfAbsent(body.getString("from") + "/" + body.getValue("seq"), k -> new ArrayList<>())
          .add(record.position());
    }
    for (Map.Entry<String, Long> publish : acknowledged.entrySet()) {
      assertEquals(List.of(publish.getValue()), found.get(publish.getKey()), publish.getKey());
    }
    assertEquals(acknowledged.keySet(), found.keySet(), "the journal holds nothing but what was acknowledged");
  }

  private static JsonObject cluster(HostNode node) {
    return node.get("/health").body().getJsonObject("cluster");
  }

  /** Asks {@code node}'s /health until its cluster state is {@code state} with a quorum, at most {@code within}. */
  private static void awaitCluster(HostNode node, String state, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject seen = null;
    while (System.nanoTime() < deadline) {
      seen = cluster(node);
      if (state.equals(seen.getString("state")) && seen.getBoolean("quorum")) {
        return;
      }
      Thread.sleep(100);   // the node's view changes on its own, with nothing here to wait on
    }
    fail(node.host() + " did not report " + state + " with a quorum within " + within.toSeconds() + " s: " + seen);
  }

  /** A query from a host to host 1's pricing pool, answering fast so a failing one is retried soon. */
  private static String quote(String symbol) {
    return new JsonObject().put("type", "test.Quote").put("payload", new JsonObject().put("symbol", symbol))
        .put("timeoutMs", CALL_TIMEOUT_MS).encode();
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
