package io.commbus.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every suite in quick mode in this JVM. It proves each path completes and yields numbers
 * for both sides; it asserts nothing about speed, which a shared CI machine cannot judge.
 */
class BenchSmokeTest {

  @Test
  @Timeout(120)
  void quickModeOfEverySuiteMeasuresBothSides() {
    Report report = new Bench(BenchOptions.quick(EnumSet.allOf(Suite.class)), line -> { }).run();

    List<String> operations = report.rows().stream().map(Row::operation).toList();
    assertEquals(39, operations.size(), () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("publish")), () -> "rows: " + operations);
    assertEquals(2, operations.stream().filter(op -> op.startsWith("send")).count(), () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("query (")), () -> "rows: " + operations);
    assertEquals(3, operations.stream().filter(op -> op.startsWith("query latency")).count(),
        () -> "rows: " + operations);
    // Three fsync policies times three publisher counts, and the PostgreSQL journal at three.
    assertEquals(9, operations.stream().filter(op -> op.startsWith("journal append")).count(),
        () -> "rows: " + operations);
    assertEquals(3, operations.stream().filter(op -> op.startsWith("postgres journal append")).count(),
        () -> "rows: " + operations);
    assertEquals(2, operations.stream().filter(op -> op.startsWith("dispatch")).count(), () -> "rows: " + operations);
    // Request/reply at 1 and 64 in flight, a stream each way, callbacks, the cold start, and a scale-up.
    assertEquals(2, operations.stream().filter(op -> op.startsWith("python request/reply")).count(),
        () -> "rows: " + operations);
    assertEquals(2, operations.stream().filter(op -> op.startsWith("stream ")).count(), () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("callback round trips")), () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("python child cold start")),
        () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("python pool resize 1 → ") && op.contains("fork vs spawn")),
        () -> "rows: " + operations);
    // The client endpoint: attached worker over the Unix socket and over TLS at 1 and 64 in flight, and publish.
    assertEquals(4, operations.stream().filter(op -> op.startsWith("attached worker")).count(),
        () -> "rows: " + operations);
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("external client publish")),
        () -> "rows: " + operations);
    // An external client's queries against gRPC's calls (grpcio against grpc-java), 64 in flight.
    assertTrue(operations.stream().anyMatch(op -> op.startsWith("external client request/reply")
        && op.endsWith("vs gRPC unix socket")), () -> "rows: " + operations);
    // Pipeline sessions against plain processes: 640 B frames through chains of 2 and 4, 1 MiB frames, the paced
    // latency, and session create-to-ready forked against spawned.
    assertEquals(List.of("pipeline 640 B frames, chain of 2 (frames/s)", "pipeline 640 B frames, chain of 4 (frames/s)",
        "pipeline 1 MiB frames, chain of 2 (MB/s per hop)", "pipeline added latency per hop at 50 frames/s, p99 (µs)",
        "pipeline session create-to-ready, 3 nodes, fork vs spawn (ms)"),
        operations.stream().filter(op -> op.startsWith("pipeline ")).toList(), () -> "rows: " + operations);
    for (Row row : report.rows()) {
      assertTrue(row.commbus() > 0 && Double.isFinite(row.commbus()), () -> "commbus side of " + row);
      assertTrue(row.raw() > 0 && Double.isFinite(row.raw()), () -> "raw side of " + row);
      assertTrue(row.ratio() > 0 && Double.isFinite(row.ratio()), () -> "ratio of " + row);
    }
  }

  @Test
  @Timeout(60)
  void mainPrintsTheTableAndExitsZero() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int status = BenchMain.run(new String[] {"--quick", "latency"}, utf8(out), utf8(err));

    String table = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, () -> "stderr: " + err.toString(StandardCharsets.UTF_8));
    assertTrue(table.contains("| operation | commbus | baseline | ratio |"), table);
    assertTrue(table.contains("µs"), table);
    assertTrue(table.contains("cores: "), table);
    assertFalse(table.contains("publish ("), "only the latency suite was asked for:\n" + table);
  }

  @Test
  void commandLineChoosesSuitesAndRejectsNonsense() {
    BenchOptions options = BenchOptions.parse("query", "--quick", "publish");
    assertTrue(options.quick());
    assertEquals(List.of(Suite.PUBLISH, Suite.QUERY), options.suites());
    assertEquals(List.of(Suite.values()), BenchOptions.parse().suites());
    assertFalse(BenchOptions.parse().quick());

    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("pubish"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--fast"));
    PrintStream sink = utf8(new ByteArrayOutputStream());
    assertEquals(2, BenchMain.run(new String[] {"--fast"}, sink, sink));
  }

  private static PrintStream utf8(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
