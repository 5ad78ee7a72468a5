package io.commbus.node;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {

  @Test
  @Timeout(60)
  void demoShowsEveryVerbAndExitsZero() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new DemoCommand().run(List.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    String text = out.toString(StandardCharsets.UTF_8);

    assertEquals(0, code, text);
    assertTrue(text.contains("audit   saw o-1 10 x ACME"), text);
    assertTrue(text.contains("ledger  saw o-1"), text);
    assertTrue(text.contains("warehouse reserves 10 x ACME for o-1"), text);
    assertTrue(text.contains("quote ACME bid 99.5 ask 100.5"), text);
    assertTrue(text.contains("nobody handles demo.Unhandled: NO_HANDLER"), text);
    assertTrue(text.contains("received 10 ticks: 100.0 100.25"), text);
    assertTrue(text.contains("-> query demo.GetQuote"), "the logging middleware printed each call: " + text);
    assertTrue(text.contains("done: 5 calls through the middleware, 1 failed as expected"), text);
  }
}
