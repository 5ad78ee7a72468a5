package io.commbus.bench;

import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.bus.journal.file.FsyncPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Journal appends of 256-byte events per fsync policy and number of concurrent publishers,
 * beside raw writes to the same disk in the same run: plain sequential writes of records of
 * the same framed size (the baseline for {@code never} and {@code interval}) and write + fsync
 * in batches of 64 records (the baseline for {@code always}). Each publisher appends its next
 * event when its previous one is acknowledged (a closed loop), so latency is per append. The
 * PostgreSQL journal runs the same load against the local server (127.0.0.1:5432, database
 * {@code test}); it is durable at commit, so it is compared with the fsync baseline.
 */
final class JournalScenario implements Scenario {

  /** Appends per run with fsync=always, as a fraction of the count for the other policies. */
  static final String ALWAYS_SHARE = "1/10";
  private static final int EVENT_BYTES = 256;
  private static final int[] PUBLISHERS = {1, 16, 64};
  private static final String OURS = "commbus";

  private final Vertx vertx;
  private final PostgresTables postgres;
  private final Buffer body = Buffer.buffer(new byte[EVENT_BYTES]);
  private final int framedBytes;
  private Path root;

  JournalScenario(Vertx vertx) {
    this.vertx = vertx;
    this.postgres = new PostgresTables(vertx);
    // The journal's framed size of one event: frame, fixed fields, a UUID id, the type, the body.
    this.framedBytes = 8 + 8 + 8 + 1 + 2 + 36 + 2 + "Tick".length() + 2 + 4 + EVENT_BYTES;
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> {
      root = Files.createTempDirectory("commbus-bench-journal");
      return null;
    });
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    List<Row> rows = new ArrayList<>();
    RawDiskWriter raw = new RawDiskWriter(vertx, root, framedBytes);
    for (FsyncPolicy policy : List.of(FsyncPolicy.NEVER, FsyncPolicy.interval(Duration.ofMillis(10)),
        FsyncPolicy.ALWAYS)) {
      boolean always = policy.mode() == FsyncPolicy.Mode.ALWAYS;
      String rawName = always ? "raw write+fsync x64" : "raw write";
      for (int publishers : PUBLISHERS) {
        // Fewer publishers wait on more hand-offs per append; scale the count so runs take similar time.
        int scaled = publishers == 1 ? count / 20 : publishers == 16 ? count / 4 : count;
        int runCount = Math.max(64, always ? scaled / 10 : scaled);
        Map<String, List<JournalRun>> results = rounds.measure(List.of(
            new Contender<>(OURS, n -> appendRun(() -> openFileJournal(policy), publishers, n)),
            new Contender<>(rawName, n -> always ? raw.writeAndSyncBatches(n, 64) : raw.write(n))), runCount);
        rows.add(row("journal append, fsync=" + policy, publishers, rawName, results.get(OURS),
            results.get(rawName), runCount));
      }
    }
    // The PostgreSQL journal on the same load: durable at commit, so against the fsync baseline.
    for (int publishers : PUBLISHERS) {
      int scaled = publishers == 1 ? count / 20 : publishers == 16 ? count / 4 : count;
      int runCount = Math.max(64, scaled / 10);
      String table = "commbus_bench_" + publishers;
      String rawName = "raw write+fsync x64";
      Map<String, List<JournalRun>> results = rounds.measure(List.of(
          new Contender<>(OURS, n -> appendRun(() -> postgres.open(table), publishers, n)),
          new Contender<>(rawName, n -> raw.writeAndSyncBatches(n, 64))), runCount);
      rows.add(row("postgres journal append", publishers, rawName, results.get(OURS), results.get(rawName), runCount));
    }
    return rows;
  }

  private Row row(String what, int publishers, String rawName, List<JournalRun> ours, List<JournalRun> raw,
                  int count) {
    long[] latencies = Stats.sortedUnion(ours.stream().map(JournalRun::latencies).toList());
    String spread = String.format(Locale.ROOT, "append latency p50 %.0f µs, p99 %.0f µs; baseline %s",
        Stats.percentile(latencies, 50) / 1e3, Stats.percentile(latencies, 99) / 1e3, rawName);
    return new Row(String.format(Locale.ROOT, "%s, %d publisher(s)", what, publishers),
        Row.OPS, Stats.median(Throughput.opsPerSecond(count, ours.stream().map(JournalRun::nanos).toList())),
        Stats.median(Throughput.opsPerSecond(count, raw.stream().map(JournalRun::nanos).toList())), true, spread);
  }

  private Future<EventJournal> openFileJournal(FsyncPolicy policy) {
    Path directory = root.resolve(UUID.randomUUID().toString());
    return FileJournal.open(vertx, new FileJournalOptions(directory).setFsync(policy)).map(j -> (EventJournal) j);
  }

  /** Opens a journal, then times {@code count} appends by {@code publishers} closed loops. */
  private Future<JournalRun> appendRun(Supplier<Future<EventJournal>> opener, int publishers, int count) {
    return opener.get().compose(journal -> {
      long[] latencies = new long[count];
      AtomicInteger issued = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      Promise<Long> finished = Promise.promise();
      long start = System.nanoTime();
      for (int p = 0; p < publishers; p++) {
        appendNext(journal, issued, done, count, latencies, start, finished);
      }
      return finished.future().compose(end -> journal.close().map(v -> new JournalRun(end - start, latencies)));
    });
  }

  private void appendNext(EventJournal journal, AtomicInteger issued, AtomicInteger done, int count, long[] latencies,
                          long start, Promise<Long> finished) {
    int index = issued.getAndIncrement();
    if (index >= count) {
      return;
    }
    long sent = System.nanoTime();
    journal.append(new JournalEvent(UUID.randomUUID().toString(), "Tick", System.currentTimeMillis(), Map.of(), body))
        .onComplete(ar -> {
          if (ar.failed()) {
            finished.tryFail(ar.cause());
            return;
          }
          long now = System.nanoTime();
          latencies[index] = now - sent;
          if (done.incrementAndGet() == count) {
            finished.tryComplete(now);
          } else {
            appendNext(journal, issued, done, count, latencies, start, finished);
          }
        });
  }

  @Override
  public Future<Void> close() {
    return postgres.dropAll().compose(v -> vertx.executeBlocking(() -> {
      try (var files = Files.walk(root)) {
        files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(path -> {
          try {
            Files.deleteIfExists(path);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
      return null;
    }));
  }
}
