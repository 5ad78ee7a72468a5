package io.commbus.node;

import io.commbus.node.cli.Main;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code commbus node} as a real process: it prints its ready line, and SIGTERM stops it and its children. */
@Timeout(120)
class NodeProcessTest {

  private static final Pattern READY = Pattern.compile("commbus node ready in (\\d+) ms: admin (http://127\\.0\\.0\\.1:\\d+)");

  @TempDir
  Path dir;

  private Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> output = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Test
  void sigtermStopsTheNodeAndItsChildrenAndRemovesTheSocketDirectory() throws Exception {
    Path config = TestConfigs.write(dir, "node.json", TestConfigs.node(dir)
        .put("callbackHandlers", new JsonArray().add(SpreadCallback.class.getName()))
        .put("pools", new JsonArray().add(TestConfigs.pricing())));
    start("node", "--config", config.toString());

    Matcher ready = awaitLine(READY);
    AdminHttp http = new AdminHttp(ready.group(2));
    assertEquals(200, http.get("/health").status());
    List<Long> pids = TestConfigs.pids(http.get("/processes").json(), "pricing");
    assertEquals(2, pids.size());
    pids.forEach(pid -> assertTrue(TestConfigs.alive(pid), "child " + pid + " runs"));
    assertFalse(TestConfigs.contents(dir.resolve("run")).isEmpty());

    // SIGTERM; Process.destroy() would also close the pipe the output is read from.
    assertTrue(process.toHandle().destroy());

    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the node exits");
    assertEquals(143, process.exitValue(), "the exit status of a JVM ended by SIGTERM");
    awaitLine(Pattern.compile("commbus node stopped in \\d+ ms"));
    pids.forEach(pid -> assertFalse(TestConfigs.alive(pid), "child " + pid + " is gone"));
    assertEquals(List.of(), TestConfigs.contents(dir.resolve("run")), "no socket directory or file is left");
  }

  @Test
  void aNodeThatCannotStartExits1WithTheReason() throws Exception {
    Path config = TestConfigs.write(dir, "node.json", TestConfigs.node(dir).put("pools", new JsonArray()
        .add(TestConfigs.pool("broken", "test.Broken", "handle", 1).put("module", "no_such_module"))));
    start("node", "--config", config.toString());

    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the node exits");
    assertEquals(1, process.exitValue());
    Matcher reason = awaitLine(Pattern.compile("commbus node: could not start: pool broken could not start: .*"));
    assertNotNull(reason);
    assertEquals(List.of(), TestConfigs.contents(dir.resolve("run")));
  }

  @Test
  void aSecondNodeOnAJournalDirectoryInUseExits1NamingTheHolder(@TempDir Path other) throws Exception {
    Node holder = TestConfigs.await(Node.start(TestConfigs.parse(TestConfigs.node(dir), dir),
        io.commbus.node.admin.AdminServer::new));
    try {
      // The same journal directory, everything else its own.
      Path config = TestConfigs.write(other, "node.json", TestConfigs.node(other)
          .put("journal", TestConfigs.node(dir).getJsonObject("journal")));
      start("node", "--config", config.toString());

      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the second node exits");
      assertEquals(1, process.exitValue());
      Matcher reason = awaitLine(Pattern.compile("commbus node: could not start: .*the journal .* is in use by another"
          + " writer \\(pid " + ProcessHandle.current().pid() + " on .*"));
      assertNotNull(reason);
      assertEquals(200, new AdminHttp(holder.adminUrl()).get("/health").status(), "the first node goes on");
    } finally {
      TestConfigs.await(holder.stop());
    }
  }

  private void start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path")));
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      command.add("-Djava.util.logging.config.file=" + logging);
    }
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(reading the node's output failed: " + e + ")");
      }
    }, "node-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits for a line of the node's output that matches; every line read is kept for the failure message. */
  private Matcher awaitLine(Pattern pattern) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (String line : output) {
      Matcher matcher = pattern.matcher(line);
      if (matcher.matches()) {
        return matcher;
      }
    }
    while (System.nanoTime() < deadline) {
      String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null) {
        break;
      }
      output.add(line);
      Matcher matcher = pattern.matcher(line);
      if (matcher.matches()) {
        return matcher;
      }
    }
    throw new AssertionError("no line matching " + pattern + " in the node's output:\n" + String.join("\n", output));
  }
}
