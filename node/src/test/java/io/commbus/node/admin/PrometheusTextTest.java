package io.commbus.node.admin;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrometheusTextTest {

  @Test
  void familiesSamplesAndEscapedLabels() {
    String text = new PrometheusText()
        .counter("commbus_calls_total", "Calls made.")
        .sample("commbus_calls_total", 3, "type", "a\"b\\c\nd")
        .gauge("commbus_mean_seconds", "Mean time.")
        .sample("commbus_mean_seconds", 0.25)
        .toString();

    assertEquals("""
        # HELP commbus_calls_total Calls made.
        # TYPE commbus_calls_total counter
        commbus_calls_total{type="a\\"b\\\\c\\nd"} 3
        # HELP commbus_mean_seconds Mean time.
        # TYPE commbus_mean_seconds gauge
        commbus_mean_seconds 0.25
        """, text);
  }
}
