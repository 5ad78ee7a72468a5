package io.commbus.node.admin;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): each metric family once with
 * its HELP and TYPE lines, then its samples, with label values escaped.
 */
public final class PrometheusText {

  /** The content type scrapers expect for this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder text = new StringBuilder();

  PrometheusText gauge(String name, String help) {
    return family(name, "gauge", help);
  }

  PrometheusText counter(String name, String help) {
    return family(name, "counter", help);
  }

  private PrometheusText family(String name, String type, String help) {
    text.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n');
    text.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample; {@code labels} alternate names and values. */
  PrometheusText sample(String name, double value, String... labels) {
    text.append(name);
    if (labels.length > 0) {
      text.append('{');
      for (int i = 0; i + 1 < labels.length; i += 2) {
        if (i > 0) {
          text.append(',');
        }
        text.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
      }
      text.append('}');
    }
    text.append(' ').append(format(value)).append('\n');
    return this;
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  @Override
  public String toString() {
    return text.toString();
  }
}
