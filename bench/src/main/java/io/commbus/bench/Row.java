package io.commbus.bench;

/**
 * One line of the result table. The ratio is oriented so that higher is better for CommBus
 * whatever the unit: ours/raw for throughput, raw/ours for latency.
 */
public record Row(String operation, String unit, double commbus, double raw, boolean higherIsBetter, String spread) {

  public static final String OPS = "ops/s";
  public static final String MICROS = "µs";

  public double ratio() {
    return higherIsBetter ? commbus / raw : raw / commbus;
  }

  /** True when both sides produced a number a run could actually have produced. */
  public boolean plausible() {
    return commbus > 0 && raw > 0 && Double.isFinite(commbus) && Double.isFinite(raw);
  }
}
