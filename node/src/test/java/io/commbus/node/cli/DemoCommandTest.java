package io.commbus.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {

  @Test
  @Timeout(120)
  void theTradingDemoRunsEndToEndAndExitsZero() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new DemoCommand().run(List.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    String text = out.toString(StandardCharsets.UTF_8);

    assertEquals(0, code, text);
    for (String id : List.of("ORD-1", "ORD-2", "ORD-3", "ORD-4", "ORD-6", "ORD-7")) {
      assertTrue(Pattern.compile(id + " executed .*\\(trading#[01], 100 prices, journal #\\d+\\)").matcher(text).find(),
          id + " executed after reading 100 prices: " + text);
    }
    assertTrue(text.contains("ORD-5 rejected: notional"), "risk rejects the oversized order: " + text);
    assertTrue(text.contains("subscriber saw 4 TradeExecuted events"), text);
    assertTrue(text.contains("consumer group \"settlement\" settled 4 trades"), text);
    Matcher restart = Pattern.compile("trading#1 restarted as pid (\\d+)").matcher(text);
    assertTrue(restart.find(), "the killed worker restarts: " + text);
    assertTrue(text.contains("settlement is at 6 trades"), text);
    assertTrue(text.lines().count() < 40, "the output stays short: " + text);
  }

  @Test
  @Timeout(120)
  void thePipelineDemoShowsBothFailurePoliciesAndExitsZero() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new DemoCommand().run(List.of("pipeline"), new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err);
    String text = out.toString(StandardCharsets.UTF_8);

    assertEquals(0, code, text);
    assertTrue(Pattern.compile("calls-1: 4 processes ready in \\d+ ms").matcher(text).find(), text);
    assertTrue(text.contains("calls-2: PIPELINE_TERMINATED: session calls-2 ended: node resample: child "
        + "calls-2/resample (pid"), "the terminate policy ends the session naming the node: " + text);
    assertTrue(text.contains("calls-1: gate restarted"), text);
    Matcher report = Pattern.compile("calls-1 completed: (\\d+) of (\\d+) voiced frames arrived, checked and in "
        + "order, 0 corrupt; (\\d+) lost").matcher(text);
    assertTrue(report.find(), text);
    assertEquals(Integer.parseInt(report.group(2)), Integer.parseInt(report.group(1))
        + Integer.parseInt(report.group(3)), "every voiced frame arrived or is counted lost: " + text);
    assertTrue(Pattern.compile("gate [\\d.]+ / [\\d.]+ ms, resample [\\d.]+ / [\\d.]+ ms, sink").matcher(text).find(),
        text);
    assertTrue(text.lines().count() < 20, "the output stays short: " + text);
  }

  @Test
  void anUnknownDemoIsAUsageError() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(Main.USAGE, new DemoCommand().run(List.of("juggling"), System.out,
        new PrintStream(err, true, StandardCharsets.UTF_8)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("trading (the default) and pipeline"));
  }
}
