package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Query latency: one query at a time, each round trip timed. Percentiles come from every
 * sample of the measured rounds together; a median of per-round percentiles would hide the
 * tail, which is what p99 is for.
 */
final class LatencyScenario implements Scenario {

  private static final String COMMBUS = "commbus";
  private static final String RAW = "raw request";
  private static final double[] PERCENTILES = {50, 90, 99};

  private final EchoHandlers handlers;

  LatencyScenario(Vertx vertx, Loops loops) {
    this.handlers = new EchoHandlers(vertx, loops, "bench.latency");
  }

  @Override
  public Future<Void> open() {
    return handlers.open();
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Map<String, List<long[]>> samples = rounds.measure(List.of(
        new Contender<>(COMMBUS, n -> probe(n, handlers::commbusQuery)),
        new Contender<>(RAW, n -> probe(n, handlers::rawRequest))), count);
    long[] commbus = Stats.sortedUnion(samples.get(COMMBUS));
    long[] raw = Stats.sortedUnion(samples.get(RAW));
    List<Row> rows = new ArrayList<>();
    for (double percentile : PERCENTILES) {
      String spread = String.format(Locale.ROOT, "per-round p%.0f commbus %s, raw %s µs (%d samples per side)",
          percentile, perRound(samples.get(COMMBUS), percentile), perRound(samples.get(RAW), percentile),
          commbus.length);
      rows.add(new Row(String.format(Locale.ROOT, "query latency p%.0f (sequential)", percentile), Row.MICROS,
          micros(Stats.percentile(commbus, percentile)), micros(Stats.percentile(raw, percentile)), false, spread));
    }
    return rows;
  }

  private static Future<long[]> probe(int count, Supplier<Future<?>> query) {
    return new LatencyProbe(count, query).run();
  }

  // The range of one percentile across rounds, to show how stable it is from round to round.
  private static String perRound(List<long[]> runs, double percentile) {
    List<Double> values = new ArrayList<>();
    for (long[] run : runs) {
      values.add(micros(Stats.percentile(Stats.sortedUnion(List.of(run)), percentile)));
    }
    return String.format(Locale.ROOT, "%.1f..%.1f", Stats.min(values), Stats.max(values));
  }

  private static double micros(long nanos) {
    return nanos / 1e3;
  }

  @Override
  public Future<Void> close() {
    return handlers.close();
  }
}
