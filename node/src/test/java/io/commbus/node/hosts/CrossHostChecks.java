package io.commbus.node.hosts;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the multi-host scenarios check the same way before a fault and after it: a callback on
 * host 3 iterated by host 1's child and left early, and the consumer group of hosts 2 and 3.
 */
final class CrossHostChecks {

  private static final Pattern CANCELLED = Pattern.compile(".*" + TickerCallback.CANCELLED + "(\\d+) ticks");

  private CrossHostChecks() {
  }

  /**
   * Host 1's child iterates host 3's {@code test.Ticker} and leaves after three ticks; the cancel
   * must reach host 3 well before the stream's 1000 ticks are out. Returns how many ticks host 3
   * had written (one every 10 ms) when the cancel reached it: three, and the cancel's way.
   */
  static int callbackLeftEarly(HostCluster hosts, Duration within) throws InterruptedException {
    HostNode host3 = hosts.node(3);
    int from = host3.lineCount();
    HostNode.Reply reply = hosts.node(1).post("/query", new JsonObject().put("type", "test.TickThree")
        .put("payload", new JsonObject()).put("timeoutMs", 10_000));

    assertEquals(200, reply.status(), reply.body().encode());
    assertEquals(new JsonArray().add(0).add(1).add(2), reply.body().getJsonObject("reply").getJsonArray("ticks"),
        reply.body().encode());
    Matcher cancelled = host3.awaitLine(CANCELLED, from, within);
    int written = Integer.parseInt(cancelled.group(1));
    // Ten milliseconds a tick: 1000 would be the stream run to its end, the cancel lost.
    assertTrue(written < 100, "host 3 wrote " + written + " ticks before the cancel reached it");
    return written;
  }

  /** Who in the group handled the events of one batch. */
  record Shared(Map<String, Integer> byHost, int duplicates) {
  }

  /**
   * Publishes {@code count} {@code test.Work} events on host 1 and waits until the group's
   * members, hosts 2 and 3, have handled every one of them, at most {@code within}.
   */
  static Shared workShared(HostCluster hosts, String batch, int count, Duration within) {
    String event = new JsonObject().put("type", HostCluster.WORK)
        .put("payload", new JsonObject().put("seq", batch + "-$i")).encode();
    for (HostNode.Reply published : hosts.node(1).calls("POST", "/publish", event, count)) {
      assertEquals(200, published.status(), published.body().encode());
    }
    long deadline = System.nanoTime() + within.toNanos();
    Map<String, Integer> times = new HashMap<>();
    Map<String, Integer> byHost = new HashMap<>();
    while (true) {
      times.clear();
      byHost.clear();
      for (int n = 2; n <= 3; n++) {
        HostNode member = hosts.node(n);
        HostNode.Reply seen = member.post("/query", new JsonObject().put("type", "test.Worked" + n)
            .put("payload", new JsonObject()).put("timeoutMs", 10_000));
        assertEquals(200, seen.status(), member.host() + ": " + seen.body().encode());
        List<Object> seqs = seen.body().getJsonObject("reply").getJsonArray("seqs").getList();
        for (Object seq : seqs) {
          if (String.valueOf(seq).startsWith(batch + "-")) {
            times.merge(String.valueOf(seq), 1, Integer::sum);
            byHost.merge(member.host().name(), 1, Integer::sum);
          }
        }
      }
      if (times.size() == count) {
        int duplicates = times.values().stream().mapToInt(t -> t - 1).sum();
        return new Shared(Map.copyOf(byHost), duplicates);
      }
      if (System.nanoTime() > deadline) {
        fail("batch " + batch + ": the group handled " + times.size() + " of " + count + " events within "
            + within.toSeconds() + " s: " + byHost);
      }
    }
  }
}
