package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Query throughput: N queries, a fixed number in flight, each answered at once by the handler. */
final class QueryScenario implements Scenario {

  private static final String COMMBUS = "commbus";
  private static final String RAW = "raw request";

  private final EchoHandlers handlers;
  private final int window;

  QueryScenario(Vertx vertx, Loops loops, int window) {
    this.handlers = new EchoHandlers(vertx, loops, "bench.query");
    this.window = window;
  }

  @Override
  public Future<Void> open() {
    return handlers.open();
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Map<String, List<Long>> nanos = rounds.measure(List.of(
        new Contender<>(COMMBUS, n -> timed(n, handlers::commbusQuery)),
        new Contender<>(RAW, n -> timed(n, handlers::rawRequest))), count);
    return List.of(Throughput.row("query (" + window + " in flight)",
        Throughput.opsPerSecond(count, nanos.get(COMMBUS)), Throughput.opsPerSecond(count, nanos.get(RAW))));
  }

  private Future<Long> timed(int count, Supplier<Future<?>> query) {
    long start = System.nanoTime();
    return new Window(count, window, query).run().map(end -> end - start);
  }

  @Override
  public Future<Void> close() {
    return handlers.close();
  }
}
