package io.commbus.node.cli;

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

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpListsEveryCommandWithOneLineEach() {
    assertEquals(0, run("--help"));
    for (String command : List.of("node", "publish", "send", "query", "sub", "demo", "journal", "bench", "help")) {
      long lines = out().lines().filter(line -> line.startsWith("  " + command + " ")).count();
      assertEquals(1, lines, () -> command + " has one line in:\n" + out());
    }
  }

  @Test
  void everyNewCommandHasItsOwnHelp() {
    for (String command : List.of("node", "publish", "send", "query", "sub", "bench", "stubs")) {
      out.reset();
      assertEquals(0, run(command, "--help"));
      assertTrue(out().startsWith("usage: commbus " + command), out());
      assertTrue(out().contains("Exit codes"), out());
    }
  }

  @Test
  void nodeWantsAConfigurationItCanRead() {
    assertEquals(Main.USAGE, run("node"));
    assertTrue(err().contains("--config FILE is required"), err());
    err.reset();
    assertEquals(Main.USAGE, run("node", "--config", "/no/such/node.json"));
    assertTrue(err().contains("no such configuration file: /no/such/node.json"), err());
    err.reset();
    assertEquals(Main.USAGE, run("node", "--config", "x.json", "--admin-port", "http"));
    err.reset();
    assertEquals(Main.USAGE, run("node", "--config", "x.json", "--bogus"));
    assertTrue(err().contains("unknown option --bogus"), err());
  }

  @Test
  void callsWantATypeAndAJsonObject() {
    assertEquals(Main.USAGE, run("query"));
    assertTrue(err().contains("which type?"), err());
    err.reset();
    assertEquals(Main.USAGE, run("send", "t", "[1, 2]"));
    assertTrue(err().contains("the payload must be a JSON object"), err());
    err.reset();
    assertEquals(Main.USAGE, run("publish", "t", "{}", "--timeout", "5s"));
    assertTrue(err().contains("unknown option --timeout"), err());
    err.reset();
    assertEquals(Main.USAGE, run("query", "t", "{}", "--timeout", "soon"));
    assertTrue(err().contains("--timeout wants a duration like"), err());
    err.reset();
    assertEquals(Main.USAGE, run("query", "t", "{}", "--node", "ftp://x"));
    assertTrue(err().contains("--node wants the node's admin URL"), err());
  }

  @Test
  void aCallToANodeThatIsNotThereSaysSo() {
    // Port 1 on loopback: nothing listens there.
    assertEquals(1, run("query", "t", "{}", "--node", "http://127.0.0.1:1"));
    assertTrue(err().startsWith("commbus query: cannot reach a node at http://127.0.0.1:1/"), err());
  }

  @Test
  void versionPrintsTheBuildsVersion() {
    assertEquals(0, run("--version"));
    // What Maven wrote into version.properties: the project's version, never the placeholder.
    assertTrue(out().matches("commbus \\d+\\.\\d+\\.\\d+\\S*\\R"), out());
  }

  @Test
  void subWantsOneTypeAndAPositionFromOne() {
    assertEquals(Main.USAGE, run("sub"));
    assertEquals(Main.USAGE, run("sub", "a", "b"));
    assertTrue(err().contains("with --from POSITION"), err());
    assertEquals(Main.USAGE, run("sub", "t", "--from", "0"));
    assertEquals(Main.USAGE, run("sub", "t", "--count", "none"));
    assertTrue(err().contains("--count wants a whole number from 1"), err());
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
