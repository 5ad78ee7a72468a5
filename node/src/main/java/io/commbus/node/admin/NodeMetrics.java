package io.commbus.node.admin;

import io.commbus.bus.BusStats;
import io.commbus.node.Node;
import io.commbus.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.Map;

/**
 * The node's figures for {@code /metrics}: bus failures and calls, the coordinator's services
 * with their load and queue on this node, each pool's children and load, and the journal's
 * head position. Names follow Prometheus conventions ({@code commbus_pool_ready},
 * {@code commbus_pool_restarts_total}).
 */
final class NodeMetrics {

  private final Node node;

  NodeMetrics(Node node) {
    this.node = node;
  }

  Future<String> render() {
    List<Future<JsonObject>> pools = new ArrayList<>();
    for (ProcessVerticle pool : node.pools()) {
      pools.add(pool.stats());
    }
    Future<Long> head = node.journal().lastPosition();
    // A figure that cannot be had (a pool stopping, the database away) is left out; the rest still shows.
    return Future.join(Future.join(pools), head).transform(all -> {
      PrometheusText text = new PrometheusText();
      text.gauge("commbus_node_uptime_seconds", "Seconds since the node began to start.")
          .sample("commbus_node_uptime_seconds", node.uptimeMillis() / 1000.0);
      bus(text, node.bus().stats());
      calls(text, node.calls().snapshot());
      coordinator(text);
      pools(text, pools);
      if (head.succeeded()) {
        text.gauge("commbus_journal_head_position", "Position of the last readable event in the journal; 0 when empty.")
            .sample("commbus_journal_head_position", head.result());
      }
      return Future.succeededFuture(text.toString());
    });
  }

  private static void bus(PrometheusText text, BusStats stats) {
    JsonObject json = stats.toJson();
    text.counter("commbus_bus_subscriber_failures_total", "Events whose subscriber on this node threw or failed.");
    json.getJsonObject("subscriberFailures").forEach(e ->
        text.sample("commbus_bus_subscriber_failures_total", ((Number) e.getValue()).doubleValue(), "type", e.getKey()));
    text.counter("commbus_bus_handler_failures_total", "Commands and queries whose handler on this node threw or failed.");
    json.getJsonObject("handlerFailures").forEach(e ->
        text.sample("commbus_bus_handler_failures_total", ((Number) e.getValue()).doubleValue(), "type", e.getKey()));
  }

  /** Calls this node made through its bus (admin HTTP calls and Python children's calls among them). */
  private static void calls(PrometheusText text, JsonObject snapshot) {
    text.counter("commbus_bus_calls_total", "Publishes, sends and queries made through this node's bus.");
    snapshot.forEach(e -> {
      String[] key = split(e.getKey());
      text.sample("commbus_bus_calls_total", ((JsonObject) e.getValue()).getLong("calls"), "category", key[0],
          "type", key[1]);
    });
    text.counter("commbus_bus_call_failures_total", "Calls made through this node's bus that failed, by error code.");
    snapshot.forEach(e -> {
      String[] key = split(e.getKey());
      ((JsonObject) e.getValue()).getJsonObject("failures").forEach(f -> text.sample("commbus_bus_call_failures_total",
          ((Number) f.getValue()).doubleValue(), "category", key[0], "type", key[1], "code", f.getKey()));
    });
    text.gauge("commbus_bus_call_mean_seconds", "Mean time of a call made through this node's bus.");
    snapshot.forEach(e -> {
      String[] key = split(e.getKey());
      text.sample("commbus_bus_call_mean_seconds", ((JsonObject) e.getValue()).getLong("meanMicros") / 1e6,
          "category", key[0], "type", key[1]);
    });
  }

  /** {@code "query pricing.Quote"} into its category and type. */
  private static String[] split(String key) {
    int space = key.indexOf(' ');
    return space < 0 ? new String[] {"", key} : new String[] {key.substring(0, space), key.substring(space + 1)};
  }

  private void coordinator(PrometheusText text) {
    node.coordinator().ifPresent(coordinator -> {
      JsonObject metrics = coordinator.metrics();
      text.gauge("commbus_coordinator_services", "Services in the registry.")
          .sample("commbus_coordinator_services", metrics.getInteger("services"));
      text.gauge("commbus_coordinator_services_healthy", "Healthy services in the registry.")
          .sample("commbus_coordinator_services_healthy", metrics.getLong("healthy"));
      text.gauge("commbus_coordinator_load", "Requests a service is running for dispatches from this node.");
      for (Map.Entry<String, Object> e : metrics.getJsonObject("load")) {
        text.sample("commbus_coordinator_load", ((Number) e.getValue()).doubleValue(), "service", e.getKey());
      }
      text.gauge("commbus_coordinator_queued", "Dispatches from this node waiting for a slot of a service.");
      for (Map.Entry<String, Object> e : metrics.getJsonObject("queued")) {
        text.sample("commbus_coordinator_queued", ((Number) e.getValue()).doubleValue(), "service", e.getKey());
      }
    });
  }

  private static void pools(PrometheusText text, List<Future<JsonObject>> stats) {
    List<JsonObject> pools = stats.stream().filter(Future::succeeded).map(Future::result).toList();
    poolFigure(text, pools, "commbus_pool_size", text::gauge, "Children the pool runs.", "size");
    poolFigure(text, pools, "commbus_pool_ready", text::gauge, "Children of the pool ready to serve.", "ready");
    poolFigure(text, pools, "commbus_pool_in_flight", text::gauge, "Requests the pool's children are serving.", "inFlight");
    poolFigure(text, pools, "commbus_pool_queued", text::gauge, "Requests waiting for a free child.", "queued");
    poolFigure(text, pools, "commbus_pool_restarts_total", text::counter, "Restarts of the pool's children.", "restarts");
    poolFigure(text, pools, "commbus_pool_rejected_total", text::counter, "Requests refused with OVERLOADED.", "rejected");
  }

  private static void poolFigure(PrometheusText text, List<JsonObject> pools, String name,
                                 BiConsumer<String, String> family, String help,
                                 String field) {
    family.accept(name, help);
    for (JsonObject pool : pools) {
      text.sample(name, pool.getLong(field), "pool", pool.getString("pool"));
    }
  }
}
