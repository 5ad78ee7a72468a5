package io.commbus.node.demo;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.file.FileCheckpointStore;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.DispatchTarget;
import io.commbus.coordinator.Priority;
import io.commbus.node.pools.PoolServiceOptions;
import io.commbus.node.pools.PoolServices;
import io.commbus.process.CallbackRegistry;
import io.commbus.process.PoolOptions;
import io.commbus.process.ProcessEvents;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.PythonProcessConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The trading desk, end to end on one node: Java market-data and risk callbacks, a pool of
 * two Python strategy workers served through the coordinator, journaled trade events read by
 * a subscriber and a consumer group, and a worker killed and restarted mid-run.
 */
public final class TradingDemo {

  private static final long WAIT_SECONDS = 30;

  private final PrintStream out;
  private final List<JsonObject> subscriberSaw = new CopyOnWriteArrayList<>();
  private final List<JsonObject> settled = new CopyOnWriteArrayList<>();
  private Promise<Void> allSettled;
  private volatile Promise<Void> allSeen = Promise.promise();
  private int expectedTrades;
  private volatile int expectedSeen = Integer.MAX_VALUE;

  public TradingDemo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo; 0 when every step behaved as shown. */
  public int run() throws Exception {
    // The demo narrates what happens itself; the supervisor's warnings (the SIGKILL is on
    // purpose) would only repeat it as log lines.
    java.util.logging.Logger processLog = java.util.logging.Logger.getLogger("io.commbus.process");
    java.util.logging.Level previous = processLog.getLevel();
    processLog.setLevel(java.util.logging.Level.SEVERE);
    try {
      return runQuietly();
    } finally {
      processLog.setLevel(previous);
    }
  }

  private int runQuietly() throws Exception {
    long started = System.nanoTime();
    Path work = Files.createTempDirectory("commbus-demo-");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    FileJournal journal = null;
    List<String> deployments = new ArrayList<>();
    try {
      journal = await(FileJournal.open(vertx, new FileJournalOptions(work.resolve("journal"))));
      int code = walkThrough(vertx, journal, work, deployments);
      out.println();
      out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - started) / 1e9);
      return code;
    } finally {
      for (int i = deployments.size() - 1; i >= 0; i--) {
        vertx.undeploy(deployments.get(i)).await(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      if (journal != null) {
        journal.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      vertx.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
      DemoFiles.delete(work);
    }
  }

  private int walkThrough(Vertx vertx, FileJournal journal, Path work, List<String> deployments) throws Exception {
    CommBus bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    out.println("commbus demo: a trading desk on one node, Python strategies behind the bus");
    out.println();

    out.println("[1/6] starting the node: file journal, coordinator, callbacks, 2 Python workers...");
    CommBusCoordinatorVerticle coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions());
    deployments.add(await(vertx.deployVerticle(coordinator)));
    await(CallbackRegistry.register(bus, new MarketDataHandler()));
    await(CallbackRegistry.register(bus, new PositionCheckHandler()));
    PythonProcessConfig strategy = new PythonProcessConfig("strategy", "execute_trade")
        .addPythonPath(DemoFiles.unpack("trading", List.of("strategy.py"), work.resolve("strategy")));
    strategy.getProcess().setRuntimeDirectory(work);  // the callbacks need no listing: registered is enough
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions("trading").setType("trading.ExecuteTrade")
        .setSize(2), strategy);
    long poolStart = System.nanoTime();
    deployments.add(await(vertx.deployVerticle(pool)));
    await(new PoolServices(vertx, coordinator).serve(pool, new PoolServiceOptions()
        .setCapabilities(List.of("execute_trade"))));
    JsonArray workers = await(pool.children());
    out.printf(Locale.ROOT, "      journal %s, workers %s ready in %d ms%n", work.resolve("journal"),
        describeWorkers(workers), (System.nanoTime() - poolStart) / 1_000_000);

    subscribe(bus);
    Registration group = await(bus.joinGroup(new ConsumerGroupOptions("settlement",
        new FileCheckpointStore(vertx, work.resolve("checkpoints"))).setTypes(Set.of("trading.TradeExecuted")), event -> {
          settled.add(event.json());
          if (settled.size() >= expectedTrades) {
            allSettled.tryComplete();
          }
          return Future.succeededFuture();
        }));

    out.println();
    List<JsonObject> orders = List.of(
        order("ORD-1", "AAPL", 100), order("ORD-2", "MSFT", 50), order("ORD-3", "NVDA", 200),
        order("ORD-4", "AMZN", 25), order("ORD-5", "TSLA", 5000));
    out.println("[2/6] " + orders.size() + " orders dispatched at once to service \"trading\" (each reads 100 prices"
        + " from market.MarketData, then asks risk.PositionCheck)");
    allSeen = Promise.promise();
    allSettled = Promise.promise();
    expectedSeen = 4;
    expectedTrades = 4;
    List<Future<Message>> results = new ArrayList<>();
    for (JsonObject order : orders) {
      results.add(coordinator.dispatch(new DispatchTarget("trading", "execute_trade").priority(Priority.HIGH)
          .timeout(Duration.ofSeconds(10)), Message.query("trading.Order", order)));
    }
    await(Future.join(results));
    int executed = 0;
    for (Future<Message> result : results) {
      if (result.failed()) {
        out.println("      failed: " + result.cause());
        return 1;
      }
      JsonObject trade = result.result().json();
      out.println("      " + describeTrade(trade));
      executed += "executed".equals(trade.getString("status")) ? 1 : 0;
    }
    if (executed != expectedTrades) {
      out.println("      expected " + expectedTrades + " executed trades, got " + executed);
      return 1;
    }

    out.println();
    // Both readers get the events asynchronously, after the publishes were acknowledged.
    await(allSeen.future());
    await(allSettled.future());
    out.println("[3/6] subscriber saw " + subscriberSaw.size() + " TradeExecuted events, at journal positions "
        + positions(subscriberSaw));
    out.println("[4/6] consumer group \"settlement\" settled " + settled.size() + " trades from the journal: "
        + orderIds(settled));

    out.println();
    JsonObject victim = workers.getJsonObject(1);
    out.println("[5/6] killing worker " + victim.getString("id") + " (pid " + victim.getLong("pid") + ") with SIGKILL");
    Promise<JsonObject> restarted = Promise.promise();
    bus.subscribe(ProcessEvents.CHILD_STARTED, m -> {
      if (victim.getString("id").equals(m.json().getString("child"))) {
        restarted.tryComplete(m.json());
      }
    });
    long killedAt = System.nanoTime();
    ProcessHandle.of(victim.getLong("pid")).ifPresent(ProcessHandle::destroyForcibly);
    JsonObject back = await(restarted.future());
    out.printf(Locale.ROOT, "      %s restarted as pid %d after %d ms%n", victim.getString("id"), back.getLong("pid"),
        (System.nanoTime() - killedAt) / 1_000_000);

    out.println();
    out.println("[6/6] the next orders go through");
    expectedTrades = settled.size() + 2;
    allSettled = Promise.promise();
    List<Future<Message>> after = List.of(
        coordinator.dispatch(new DispatchTarget("trading", "execute_trade"), Message.query("trading.Order",
            order("ORD-6", "AAPL", 10))),
        coordinator.dispatch(new DispatchTarget("trading", "execute_trade"), Message.query("trading.Order",
            order("ORD-7", "MSFT", 10))));
    for (Future<Message> result : after) {
      JsonObject trade = await(result).json();
      out.println("      " + describeTrade(trade));
      if (!"executed".equals(trade.getString("status"))) {
        return 1;
      }
    }
    await(allSettled.future());
    out.println("      settlement is at " + settled.size() + " trades");
    await(group.unregister());
    return 0;
  }

  private void subscribe(CommBus bus) {
    bus.subscribe("trading.TradeExecuted", event -> {
      subscriberSaw.add(event.json().copy().put("position", event.position()));
      if (subscriberSaw.size() >= expectedSeen) {
        allSeen.tryComplete();
      }
    });
  }

  private static JsonObject order(String id, String symbol, int quantity) {
    return new JsonObject().put("orderId", id).put("symbol", symbol).put("quantity", quantity);
  }

  private static String describeTrade(JsonObject trade) {
    if ("executed".equals(trade.getString("status"))) {
      return String.format(Locale.ROOT, "%s executed %5d x %-4s @ %7.2f  (%s, %d prices, journal #%d)",
          trade.getString("orderId"), trade.getInteger("quantity"), trade.getString("symbol"),
          trade.getDouble("price"), trade.getString("worker"), trade.getInteger("pricesRead"),
          trade.getLong("journalPosition"));
    }
    return trade.getString("orderId") + " " + trade.getString("status") + ": " + trade.getString("reason")
        + "  (" + trade.getString("worker") + ")";
  }

  private static String describeWorkers(JsonArray workers) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      JsonObject worker = workers.getJsonObject(i);
      names.add(worker.getString("id") + " (pid " + worker.getLong("pid") + ")");
    }
    return String.join(" and ", names);
  }

  private static String positions(List<JsonObject> events) {
    List<String> positions = new ArrayList<>();
    events.stream().map(e -> e.getLong("position")).sorted().forEach(p -> positions.add(String.valueOf(p)));
    return String.join(", ", positions);
  }

  private static String orderIds(List<JsonObject> events) {
    List<String> ids = new ArrayList<>();
    events.forEach(e -> ids.add(e.getString("orderId")));
    return String.join(", ", ids);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
