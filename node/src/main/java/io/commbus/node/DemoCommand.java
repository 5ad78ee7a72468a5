package io.commbus.node;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.middleware.LoggingMiddleware;
import io.commbus.bus.middleware.MetricsMiddleware;
import io.commbus.node.demo.DemoMessages.GetQuote;
import io.commbus.node.demo.DemoMessages.OrderPlaced;
import io.commbus.node.demo.DemoMessages.PriceTicks;
import io.commbus.node.demo.DemoMessages.Quote;
import io.commbus.node.demo.DemoMessages.ReserveStock;
import io.commbus.node.demo.DemoMessages.Tick;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Starts a node in this process and walks through the bus: publish, send, query, a streamed
 * query with flow control, and a typed error, with the logging middleware showing each call.
 */
final class DemoCommand implements Command {

  private static final long WAIT_SECONDS = 10;

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "run a node in this process and show publish, send, query and a streamed query";
  }

  @Override
  public String help() {
    return "usage: commbus demo\n\n"
        + "Starts a commbus node in this process (no cluster, nothing written to disk), then shows\n"
        + "each verb of the bus with the logging middleware printing every call:\n"
        + "  1. publish an event to two subscribers\n"
        + "  2. send a command to its one handler\n"
        + "  3. query for a typed reply, and a query nobody handles (NO_HANDLER)\n"
        + "  4. a streamed query, consumed with credit-based flow control\n"
        + "Exits 0 when every step behaved as shown.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    if (!args.isEmpty()) {
      err.println("commbus demo: takes no arguments, got " + args);
      return Main.USAGE;
    }
    Vertx vertx = Vertx.vertx();
    try {
      return walkThrough(vertx, out);
    } finally {
      vertx.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  private int walkThrough(Vertx vertx, PrintStream out) throws Exception {
    MetricsMiddleware metrics = new MetricsMiddleware();
    CommBus bus = CommBus.create(vertx, new CommBusOptions().setStreamWindow(4))
        .addMiddleware(new LoggingMiddleware(line -> out.println("      " + line)))
        .addMiddleware(metrics);
    out.println("commbus demo: one node in this process");

    out.println();
    out.println("[1/4] publish: an event reaches every subscriber");
    CountDownLatch bothSaw = new CountDownLatch(2);
    bus.subscribe(OrderPlaced.class, e -> {
      out.println("      audit   saw " + e.orderId() + " " + e.quantity() + " x " + e.symbol());
      bothSaw.countDown();
    });
    bus.subscribe("demo.OrderPlaced", m -> {
      out.println("      ledger  saw " + m.json().getString("orderId") + " (untyped: " + m.json().encode() + ")");
      bothSaw.countDown();
    });
    await(bus.publish(new OrderPlaced("o-1", "ACME", 10)));
    awaitLatch(bothSaw, "subscribers");

    out.println();
    out.println("[2/4] send: a command goes to its one handler");
    Promise<ReserveStock> reserved = Promise.promise();
    await(bus.registerHandler(ReserveStock.class, cmd -> {
      out.println("      warehouse reserves " + cmd.quantity() + " x " + cmd.symbol() + " for " + cmd.orderId());
      reserved.complete(cmd);
      return Future.succeededFuture();
    }));
    await(bus.send(new ReserveStock("o-1", "ACME", 10)));
    await(reserved.future());

    out.println();
    out.println("[3/4] query: a typed reply, and a typed error");
    await(bus.registerHandler(GetQuote.class, q -> Future.succeededFuture(new Quote(q.symbol(), 99.5, 100.5))));
    Quote quote = await(bus.query(new GetQuote("ACME")));
    out.println("      quote " + quote.symbol() + " bid " + quote.bid() + " ask " + quote.ask());
    try {
      bus.query(Message.query("demo.Unhandled", new JsonObject()), Duration.ofSeconds(2))
          .await(WAIT_SECONDS, TimeUnit.SECONDS);
      out.println("      unexpected: a query nobody handles was answered");
      return 1;
    } catch (CommBusException e) {
      out.println("      nobody handles demo.Unhandled: " + e.code());
    }

    out.println();
    out.println("[4/4] streamed query: 10 ticks, at most 4 in flight");
    await(bus.registerStreamHandler(PriceTicks.class, (q, sink) -> writeTicks(sink, q.count(), 0)));
    QueryStream<Tick> ticks = await(bus.queryStream(new PriceTicks("ACME", 10)));
    List<Tick> received = await(ticks.collect(Collectors.toList()));
    out.println("      received " + received.size() + " ticks: " + received.stream()
        .map(t -> String.valueOf(t.price())).collect(Collectors.joining(" ")));

    out.println();
    JsonObject figures = metrics.snapshot();
    long calls = figures.stream().mapToLong(e -> ((JsonObject) e.getValue()).getLong("calls")).sum();
    long failed = figures.stream().mapToLong(e -> ((JsonObject) e.getValue()).getJsonObject("failures").stream()
        .mapToLong(f -> ((Number) f.getValue()).longValue()).sum()).sum();
    out.println("done: " + calls + " calls through the middleware, " + failed + " failed as expected");
    return received.size() == 10 ? 0 : 1;
  }

  /** Writes one tick after another as credit allows, then ends the stream. */
  private static void writeTicks(StreamSink<Tick> sink, int count, int next) {
    if (next == count) {
      sink.end();
      return;
    }
    sink.write(new Tick(next, 100 + next * 0.25)).onSuccess(v -> writeTicks(sink, count, next + 1));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static void awaitLatch(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(what + " did not all receive the event within " + WAIT_SECONDS + " s");
    }
  }
}
