package io.commbus.bench;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Turns elapsed times of throughput runs into operations per second and table rows. */
final class Throughput {

  private Throughput() {
  }

  static List<Double> opsPerSecond(int count, List<Long> elapsedNanos) {
    return elapsedNanos.stream().map(nanos -> count / (nanos / 1e9)).collect(Collectors.toList());
  }

  /** A row with the median of each side's rounds; the spread shows how much to trust it. */
  static Row row(String operation, List<Double> commbus, List<Double> raw) {
    String spread = String.format(Locale.ROOT, "commbus %s..%s, raw %s..%s ops/s",
        whole(Stats.min(commbus)), whole(Stats.max(commbus)), whole(Stats.min(raw)), whole(Stats.max(raw)));
    return new Row(operation, Row.OPS, Stats.median(commbus), Stats.median(raw), true, spread);
  }

  private static String whole(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }
}
