package io.commbus.node;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new Main().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsEveryCommandWithOneLineEach() {
    assertEquals(0, run("--help"));
    assertTrue(out().contains("  demo "), out());
    assertTrue(out().contains("  journal "), out());
    assertTrue(out().contains("  help "), out());
  }

  @Test
  void noArgumentsPrintsUsageAndFails() {
    assertEquals(Main.USAGE, run());
    assertTrue(out().contains("usage: commbus <command>"), out());
  }

  @Test
  void everyCommandHasItsOwnHelp() {
    assertEquals(0, run("demo", "--help"));
    assertTrue(out().startsWith("usage: commbus demo"), out());
    out.reset();
    assertEquals(0, run("help", "demo"));
    assertTrue(out().startsWith("usage: commbus demo"), out());
    out.reset();
    assertEquals(0, run("help", "journal"));
    assertTrue(out().startsWith("usage: commbus journal"), out());
  }

  @Test
  void unknownCommandNamesItselfAndFails() {
    assertEquals(Main.USAGE, run("frobnicate"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'frobnicate'"));
  }

  @Test
  void demoRejectsArguments() {
    assertEquals(Main.USAGE, run("demo", "extra"));
  }
}
