package io.commbus.node.admin;

import io.commbus.bus.journal.JournalHealth;
import io.commbus.cluster.ClusterHealth;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.node.Node;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.client.ClientEndpoint;
import io.commbus.process.pool.PoolStatus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether the node is alive and ready, for {@code /health}. Live: it answers. Ready: it is
 * running (not starting or stopping), its journal answers within {@link #JOURNAL_TIMEOUT_MS}
 * and stores what it is given (no failed append since the last stored one), and every pool has
 * at least one ready child, so each type the node serves can be served. Each reason it is not
 * ready is listed under {@code problems}; a pool that is down says whether it is restarting or
 * gave up, why its last child ended and when it is tried next.
 */
final class HealthCheck {

  /** A journal that takes longer than this to say where its head is counts as down. */
  static final long JOURNAL_TIMEOUT_MS = 2000;

  private final Node node;

  HealthCheck(Node node) {
    this.node = node;
  }

  Future<JsonObject> check() {
    List<ProcessVerticle> pools = node.pools();
    List<Future<PoolStatus>> statuses = new ArrayList<>();
    for (ProcessVerticle pool : pools) {
      statuses.add(pool.status());
    }
    Future<Long> head = journalAnswer(node.journal().lastPosition());
    // A journal that went DOWN tries its store again here, so a quiet node can come back UP.
    Future<JournalHealth> checked = journalAnswer(node.journal().checkHealth());
    Future<JsonObject> clients = node.clients().map(ClientEndpoint::status)
        .orElse(Future.succeededFuture(new JsonObject().put("enabled", false)));
    return Future.join(Future.join(statuses), head, checked, clients).transform(ignored -> {
      JsonArray problems = new JsonArray();
      if (node.state() != Node.State.RUNNING) {
        problems.add("the node is " + node.state().name().toLowerCase());
      }
      JsonObject journal = new JsonObject().put("kind", node.config().getJournal().getKind().name().toLowerCase());
      JournalHealth storing = checked.succeeded() ? checked.result() : node.journal().health();
      if (head.failed()) {
        journal.put("state", "DOWN").put("error", head.cause().getMessage());
        problems.add("journal: " + head.cause().getMessage());
      } else if (storing.state() == JournalHealth.State.DOWN) {
        // It answers reads, but what it is given is not stored: publishes fail with STORAGE.
        journal.put("state", "DOWN").put("head", head.result()).put("error", storing.cause())
            .put("since", storing.since().toString());
        problems.add("journal: appends fail: " + storing.cause());
      } else {
        journal.put("state", "UP").put("head", head.result());
      }
      JsonObject poolHealth = new JsonObject();
      for (int i = 0; i < pools.size(); i++) {
        String name = pools.get(i).name();
        Future<PoolStatus> status = statuses.get(i);
        if (status.failed()) {
          poolHealth.put(name, new JsonObject().put("ready", 0).put("total", 0));
          problems.add("pool " + name + ": " + status.cause().getMessage());
          continue;
        }
        poolHealth.put(name, pool(status.result(), problems));
      }
      boolean ready = problems.isEmpty();
      return Future.succeededFuture(new JsonObject()
          .put("status", ready ? "UP" : "DOWN")
          .put("live", true)
          .put("ready", ready)
          .put("state", node.state().name())
          .put("uptimeMs", node.uptimeMillis())
          .put("journal", journal)
          .put("coordinator", coordinator())
          .put("pools", poolHealth)
          .put("cluster", cluster())
          .put("clients", clientsOf(clients))
          .put("bridges", new JsonArray(node.bridges()))
          .put("problems", problems));
    });
  }

  /** One pool's entry: ready and total children, its health, and why and until when it is down. */
  private static JsonObject pool(PoolStatus status, JsonArray problems) {
    PoolStatus.Health health = status.health();
    JsonObject json = new JsonObject().put("ready", status.ready()).put("total", status.size())
        .put("state", health.name());
    if (health == PoolStatus.Health.UP) {
      return json;
    }
    String cause = status.lastExit() == null ? null : status.lastExit().reason();
    if (cause != null) {
      json.put("cause", cause);
    }
    if (status.nextRetryAt() != null) {
      json.put("nextRetryAt", status.nextRetryAt().toString());
    }
    String retry = status.nextRetryAt() == null ? "" : "; next try at " + status.nextRetryAt();
    if (health == PoolStatus.Health.GIVEN_UP) {
      problems.add("pool " + status.name() + " gave up on every child after repeated failures"
          + (cause == null ? "" : ", the last: " + cause) + retry);
    } else {
      problems.add("pool " + status.name() + " has no ready child" + (cause == null ? "" : "; restarting after: "
          + cause) + retry);
    }
    return json;
  }

  /** The journal's answer, or a failure once it has taken longer than {@link #JOURNAL_TIMEOUT_MS}. */
  private <T> Future<T> journalAnswer(Future<T> asked) {
    Promise<T> answer = Promise.promise();
    long timer = node.vertx().setTimer(JOURNAL_TIMEOUT_MS, t -> answer.tryFail("no answer within "
        + JOURNAL_TIMEOUT_MS + " ms"));
    asked.onComplete(ar -> {
      node.vertx().cancelTimer(timer);
      if (ar.succeeded()) {
        answer.tryComplete(ar.result());
      } else {
        answer.tryFail(ar.cause());
      }
    });
    return answer.future();
  }

  /** Where clients connect and how many are; not each connection, which /health need not list. */
  private static JsonObject clientsOf(Future<JsonObject> status) {
    if (status.failed()) {
      return new JsonObject().put("enabled", true).put("error", status.cause().getMessage());
    }
    JsonObject json = status.result().copy();
    json.remove("clients");
    return json.containsKey("enabled") ? json : new JsonObject().put("enabled", true).mergeIn(json);
  }

  private JsonObject coordinator() {
    JsonObject json = new JsonObject().put("enabled", node.coordinator().isPresent());
    node.coordinator().map(CommBusCoordinatorVerticle::metrics).ifPresent(metrics -> json
        .put("services", metrics.getInteger("services")).put("healthy", metrics.getLong("healthy")));
    return json;
  }

  private JsonObject cluster() {
    JsonObject json = new JsonObject().put("enabled", node.cluster().isPresent());
    node.cluster().ifPresent(cluster -> {
      ClusterHealth seen = cluster.health();
      // Reported, not a readiness problem: fewer members may be a split, a crash or a node
      // stopped on purpose, and this node still serves what it can reach.
      json.put("name", node.config().getCluster().getClusterName()).put("nodeId", cluster.nodeId())
          .put("members", cluster.members().size()).put("state", seen.state()).put("since", seen.since().toString())
          .put("mostMembersSeen", seen.mostMembersSeen()).put("missingMembers", seen.missingMembers())
          .put("quorum", seen.quorum());
    });
    return json;
  }
}
