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
    return row(operation, Row.OPS, "commbus", commbus, "raw", raw);
  }

  /** The same for any rate, with each side named in the spread as the row's reader knows it. */
  static Row row(String operation, String unit, String oursName, List<Double> ours, String baselineName,
                 List<Double> baseline) {
    return new Row(operation, unit, Stats.median(ours), Stats.median(baseline), true,
        spread(unit, oursName, ours, baselineName, baseline));
  }

  static String spread(String unit, String oursName, List<Double> ours, String baselineName, List<Double> baseline) {
    return String.format(Locale.ROOT, "%s %s..%s, %s %s..%s %s", oursName, whole(Stats.min(ours)),
        whole(Stats.max(ours)), baselineName, whole(Stats.min(baseline)), whole(Stats.max(baseline)), unit);
  }

  private static String whole(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }
}
