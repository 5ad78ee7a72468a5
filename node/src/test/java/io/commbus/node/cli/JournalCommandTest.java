package io.commbus.node.cli;

import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code commbus journal} through {@link Main}, on real journals written by {@link FileJournal}. */
@Timeout(60)
class JournalCommandTest {

  private static final long T0 = 1_700_000_000_000L;   // 2023-11-14T22:13:20Z

  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return new Main().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> outLines() {
    return out.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList());
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** 100 events over several small segments: Order every fourth, Tick otherwise; #2 binary, #3 bodiless. */
  private void writeJournal() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(dir).setSegmentBytes(4096))
          .await(30, TimeUnit.SECONDS);
      List<Future<?>> appends = new ArrayList<>();
      for (int n = 1; n <= 100; n++) {
        Object body = n == 2 ? Buffer.buffer(new byte[5]) : n == 3 ? null : new JsonObject().put("n", n);
        appends.add(journal.append(new JournalEvent("id-" + n, n % 4 == 0 ? "Order" : "Tick", T0 + n,
            Map.of("tenant", "blue", "app", "shop"), body)));
      }
      Future.all(appends).await(30, TimeUnit.SECONDS);
      journal.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().collect(Collectors.toList());
    }
  }

  // ------------------------------------------------------------------ stats

  @Test
  void statsSummarisesTheJournal() throws Exception {
    writeJournal();
    long bytes = 0;
    for (Path segment : segments()) {
      bytes += Files.size(segment);
    }

    assertEquals(0, run("journal", "stats", "--dir", dir.toString()), err());

    assertEquals(List.of(
        "journal " + dir,
        "  segments   " + segments().size() + " (" + String.format(java.util.Locale.ROOT, "%,d", bytes) + " bytes)",
        "  positions  1..100 (100 records)",
        "  time       2023-11-14T22:13:20.001Z .. 2023-11-14T22:13:20.100Z",
        "  types      Tick 75, Order 25"), outLines());
    assertTrue(segments().size() > 1, "the journal spans several segments");
  }

  // ------------------------------------------------------------------ tail

  @Test
  void tailShowsTheLastTenByDefault() throws Exception {
    writeJournal();

    assertEquals(0, run("journal", "tail", "--dir", dir.toString()), err());

    List<String> lines = outLines();
    assertEquals(10, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("#91 Tick id=id-91 "), lines.get(0));
    assertEquals("#100 Order id=id-100 at 2023-11-14T22:13:20.100Z headers={\"app\":\"shop\",\"tenant\":\"blue\"}"
        + " body={\"n\":100}", lines.get(9));
  }

  @Test
  void tailFromAPositionShowsEveryBodyKind() throws Exception {
    writeJournal();

    assertEquals(0, run("journal", "tail", "--dir", dir.toString(), "--from", "2", "--type", "Tick"), err());

    List<String> lines = outLines();
    assertEquals(74, lines.size(), "Ticks from position 2");
    assertTrue(lines.get(0).startsWith("#2 Tick id=id-2 at 2023-11-14T22:13:20.002Z "), lines.get(0));
    assertTrue(lines.get(0).endsWith(" body=<5 bytes>"), lines.get(0));
    assertTrue(lines.get(1).endsWith(" body=none"), lines.get(1));
    assertTrue(lines.get(2).startsWith("#5 Tick"), "Order #4 is filtered out: " + lines.get(2));
  }

  @Test
  void tailLastNOfAType() throws Exception {
    writeJournal();

    assertEquals(0, run("journal", "tail", "--dir=" + dir, "--last=3", "--type=Order"), err());

    assertEquals(List.of("#92", "#96", "#100"), outLines().stream().map(l -> l.split(" ")[0])
        .collect(Collectors.toList()));
  }

  @Test
  void tailSkipsDamagedRecordsAndSaysSo() throws Exception {
    writeJournal();
    flipByteInMiddleRecord(segments().get(0));

    assertEquals(1, run("journal", "tail", "--dir", dir.toString(), "--from", "1"));

    assertTrue(err().contains("damaged records were skipped; 1 problem:"), err());
    assertTrue(err().contains(segments().get(0).getFileName() + " offset "), err());
    assertTrue(outLines().get(outLines().size() - 1).startsWith("#100 "), "later segments still shown");
  }

  // ------------------------------------------------------------------ verify

  @Test
  void verifyExitsZeroOnACleanJournal() throws Exception {
    writeJournal();

    assertEquals(0, run("journal", "verify", "--dir", dir.toString()), err());

    assertEquals(List.of("verify " + dir + ": " + segments().size() + " segments, 100 valid records (positions "
        + "1..100), no problems"), outLines());
  }

  @Test
  void verifyExitsOneAndLocatesAFlippedByte() throws Exception {
    writeJournal();
    Path segment = segments().get(0);
    long[] damaged = flipByteInMiddleRecord(segment);

    assertEquals(1, run("journal", "verify", "--dir", dir.toString()));

    List<String> lines = outLines();
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith(segment.getFileName() + " offset " + damaged[0]
        + ": a CRC mismatch at position " + damaged[1] + ";"), lines.get(0));
    assertTrue(lines.get(1).endsWith(", 1 problem"), lines.get(1));
  }

  @Test
  void verifyExitsOneOnATornTail() throws Exception {
    writeJournal();
    Path last = segments().get(segments().size() - 1);
    try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
      file.setLength(file.length() - 5);
    }
    long size = Files.size(last);

    assertEquals(1, run("journal", "verify", "--dir", dir.toString()));

    assertTrue(outLines().get(0).contains("a torn record"), outLines().toString());
    assertTrue(outLines().get(0).contains("at position 100"), outLines().toString());
    assertEquals(size, Files.size(last), "verify cut nothing");
  }

  // ------------------------------------------------------------------ usage

  @Test
  void usageErrorsExitTwoWithAClearMessage() throws Exception {
    assertUsage("--dir DIR is required", "journal", "stats");
    assertUsage("no such directory: " + dir.resolve("nope"), "journal", "verify", "--dir", dir.resolve("nope")
        .toString());
    assertUsage("no journal segments (*.seg) in " + dir, "journal", "stats", "--dir", dir.toString());
    assertUsage("which one: stats, tail, verify?", "journal");
    assertUsage("unknown subcommand 'dump'", "journal", "dump", "--dir", dir.toString());
    assertUsage("journal stats has no option --from", "journal", "stats", "--dir", dir.toString(), "--from", "1");
    assertUsage("--last wants a whole number of at least 1, not 'x'", "journal", "tail", "--dir", dir.toString(),
        "--last", "x");
    assertUsage("--dir needs a value", "journal", "tail", "--dir");
    writeJournal();
    assertUsage("give --from or --last, not both", "journal", "tail", "--dir", dir.toString(), "--from", "1",
        "--last", "2");
    assertUsage("unexpected argument 'extra'", "journal", "verify", "--dir", dir.toString(), "extra");
  }

  private void assertUsage(String message, String... args) {
    assertEquals(Main.USAGE, run(args), String.join(" ", args));
    assertTrue(err().startsWith("commbus journal: " + message), err());
    assertTrue(err().contains("see: commbus journal --help"), err());
    assertTrue(outLines().isEmpty(), "nothing on stdout for " + String.join(" ", args));
  }

  @Test
  void aRecordAboveTheDefaultLimitIsDataToEveryCommand() throws Exception {
    // Written under a 32 MiB limit: 17 MiB is past the default 16 MiB, which the commands must not assume.
    Vertx vertx = Vertx.vertx();
    try {
      FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(dir).setMaxRecordBytes(32 * 1024 * 1024))
          .await(30, TimeUnit.SECONDS);
      journal.append(new JournalEvent("small-1", "Tick", T0 + 1, Map.of(), new JsonObject().put("n", 1)))
          .await(30, TimeUnit.SECONDS);
      journal.append(new JournalEvent("large", "Blob", T0 + 2, Map.of(), Buffer.buffer(new byte[17 * 1024 * 1024])))
          .await(30, TimeUnit.SECONDS);
      journal.append(new JournalEvent("small-3", "Tick", T0 + 3, Map.of(), new JsonObject().put("n", 3)))
          .await(30, TimeUnit.SECONDS);
      journal.close().await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }

    assertEquals(0, run("journal", "verify", "--dir", dir.toString()), err() + out);
    assertEquals(0, run("journal", "stats", "--dir", dir.toString()), err());
    assertTrue(outLines().contains("  positions  1..3 (3 records)"), outLines().toString());
    assertEquals(0, run("journal", "tail", "--dir", dir.toString()), err());
    List<String> lines = outLines();
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(1).startsWith("#2 Blob id=large "), lines.get(1));
  }

  @Test
  void helpExplainsEachSubcommand() {
    assertEquals(0, run("journal", "--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("usage: commbus journal stats|tail|verify --dir DIR"), help);
    for (String subcommand : List.of("  stats ", "  tail ", "  verify ")) {
      assertTrue(help.contains(subcommand), subcommand + " in " + help);
    }
    assertEquals(0, run("journal", "tail", "--help"), "--help after a subcommand too");
    assertFalse(out.toString(StandardCharsets.UTF_8).isEmpty());
  }

  // ------------------------------------------------------------------ helpers

  /** Flips a byte inside the middle record of a segment; returns its offset and position. */
  private static long[] flipByteInMiddleRecord(Path segment) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Integer> offsets = new ArrayList<>();
    for (int at = 16; at + 8 <= bytes.limit(); at += 8 + bytes.getInt(at)) {   // 16-byte header, 8-byte frame
      offsets.add(at);
    }
    int k = offsets.size() / 2;
    long offset = offsets.get(k);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(offset + 30);
      int b = file.read();
      file.seek(offset + 30);
      file.write(b ^ 0xFF);
    }
    long base = Long.parseLong(segment.getFileName().toString().substring(0, 20));
    return new long[] {offset, base + k};
  }
}
