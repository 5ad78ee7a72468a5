package io.commbus.bench;

import java.util.Locale;

/** Renders a report as markdown that can be pasted into docs/benchmarks.md as it is. */
final class MarkdownTable {

  /** The ratio the project aims for on every row, with an empty middleware chain. */
  static final double GOAL = 0.8;

  private MarkdownTable() {
  }

  static String render(Report report) {
    StringBuilder out = new StringBuilder();
    report.header().forEach(line -> out.append(line).append('\n'));
    out.append('\n');
    out.append("| operation | commbus | baseline | ratio |\n");
    out.append("|---|---:|---:|---:|\n");
    int met = 0;
    for (Row row : report.rows()) {
      out.append("| ").append(row.operation())
          .append(" | ").append(value(row.commbus(), row.unit()))
          .append(" | ").append(value(row.raw(), row.unit()))
          .append(" | ").append(String.format(Locale.ROOT, "%.2f", row.ratio()))
          .append(" |\n");
      if (row.ratio() >= GOAL) {
        met++;
      }
    }
    out.append('\n');
    out.append(String.format(Locale.ROOT, "ratio: higher is better for CommBus (ours/raw for rates, raw/ours for times);"
        + " goal >= %.2f, met by %d of %d rows.%n", GOAL, met, report.rows().size()));
    out.append('\n');
    out.append("Spread over rounds (min..max):\n");
    report.rows().forEach(row -> out.append("- ").append(row.operation()).append(": ").append(row.spread()).append('\n'));
    return out.toString();
  }

  static String value(double value, String unit) {
    if (Row.MICROS.equals(unit)) {
      return String.format(Locale.ROOT, "%.1f %s", value, unit);
    }
    return String.format(Locale.ROOT, "%,.0f %s", value, unit);
  }
}
