package io.commbus.bench;

import io.commbus.bench.CpuMeter.Metered;
import io.commbus.bus.CommBus;
import io.commbus.bus.Registration;
import io.commbus.process.CallbackRegistry;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.StartMode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Process verticles with the Python SDK beside a minimal child on the same Java path. Every
 * row runs a pool of one SDK child and a pool of one minimal child (no commbus import, see
 * {@code bench/python}), both asked through {@code bus.query} or {@code queryStream} by the
 * same driver, both pools on the receiver loop, so the ratio is what the SDK costs on the
 * Python side. The Java-to-Python stream also has an absolute goal, and the cold-start row
 * is in milliseconds against its own.
 */
final class ProcessScenario implements Scenario {

  /** Java-to-Python stream rate the SDK aims for, items per second. */
  static final double ITEMS_GOAL = 100_000;
  /** Spawn-to-ready time the SDK aims for, milliseconds. */
  static final double START_GOAL_MILLIS = 150;
  /** The scale-up goal: every new child of a fork-mode pool ready this soon after the resize. */
  static final double SCALE_GOAL_MILLIS = 500;
  private static final int SCALE_ROUNDS = 3;
  private static final Duration SCALE_TIMEOUT = Duration.ofSeconds(120);
  private static final String FORK = "fork";
  private static final String SPAWN = "spawn";

  private static final String SDK = "sdk";
  private static final String MINIMAL = "minimal";
  private static final long SETUP_SECONDS = 60;

  private final Vertx vertx;
  private final Loops loops;
  private final ProcessSizes sizes;
  private final int window;
  private final CommBus bus;
  private final ChildWorkloads runs;
  private final LoopPlacement placement;
  private final List<Registration> callbacks = new ArrayList<>();
  private PythonFiles files;
  private ChildPools pools;

  /** A deployed pool of one child: the bus type that reaches it and the child's process id. */
  private record ChildPool(String type, long pid) {
  }

  ProcessScenario(Vertx vertx, Loops loops, ProcessSizes sizes, int window) {
    this.vertx = vertx;
    this.loops = loops;
    this.sizes = sizes;
    this.window = window;
    this.bus = CommBus.create(vertx);
    this.runs = new ChildWorkloads(bus);
    this.placement = new LoopPlacement(vertx);
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> {
      Path python = PythonInterpreter.resolve();
      files = PythonFiles.extract();
      return python;
    }, false).compose(python -> {
      pools = new ChildPools(bus, files, python);
      // The callback handlers live on the receiver loop, beside the pools that call them.
      return loops.onReceiver(() -> Future.all(CallbackRegistry.register(bus, new ItemsCallback()),
          CallbackRegistry.register(bus, new OneItemCallback())).map(all -> {
            callbacks.add(all.resultAt(0));
            callbacks.add(all.resultAt(1));
            return null;
          }));
    });
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    List<Row> rows = new ArrayList<>();
    rows.addAll(withPools(pools.sdk("bench.sdk.echo", "echo"),
        pools.minimal("bench.minimal.echo", PythonFiles.ECHO_CHILD),
        (sdk, minimal) -> requestRows(rounds, sdk, minimal)));
    rows.add(withPools(pools.sdk("bench.sdk.consume", "consume_items"),
        pools.minimal("bench.minimal.consume", PythonFiles.PROTOCOL_CHILD, "consume"),
        (sdk, minimal) -> withItemsGoal(rate(rounds, "stream Java → Python, async for over a callback", "items/s",
            "item", sizes.items(), sdk, minimal, type -> n -> runs.itemsToPython(type, n)))));
    rows.add(withPools(pools.sdk("bench.sdk.produce", "produce_items"),
        pools.minimal("bench.minimal.produce", PythonFiles.PROTOCOL_CHILD, "produce"),
        (sdk, minimal) -> rate(rounds, "stream Python → Java, async generator to queryStream", "items/s", "item",
            sizes.items(), sdk, minimal, type -> n -> runs.itemsFromPython(type, n))));
    rows.add(withPools(pools.sdk("bench.sdk.callbacks", "one_item_callbacks"),
        pools.minimal("bench.minimal.callbacks", PythonFiles.PROTOCOL_CHILD, "callbacks"),
        (sdk, minimal) -> rate(rounds, "callback round trips from Python (sequential)", "calls/s", "call",
            sizes.callbacks(), sdk, minimal, type -> k -> runs.callbacks(type, k))));
    rows.add(coldStart(rounds));
    rows.add(deployed(pools.slowImport("bench.fork.scale", StartMode.FORK, sizes.importSeconds()),
        pools.slowImport("bench.spawn.scale", StartMode.SPAWN, sizes.importSeconds()),
        (fork, spawn) -> scaleUp(rounds, fork, spawn)));
    return rows;
  }

  /**
   * A pool of one resized to {@code scaleTo}, its module slow to import: fork mode against
   * spawning. A spawned scale-up lasts the import at least, so this row has rounds of its own,
   * fewer than the others'.
   */
  private Row scaleUp(Rounds rounds, ProcessVerticle fork, ProcessVerticle spawn) {
    Rounds few = new Rounds(loops, 1, Math.min(SCALE_ROUNDS, rounds.rounds()), SCALE_TIMEOUT);
    ScaleUps forked = new ScaleUps(fork, sizes.scaleTo());
    ScaleUps spawned = new ScaleUps(spawn, sizes.scaleTo());
    Map<String, List<long[]>> millis = few.measure(List.of(
        new Contender<>(FORK, forked::run), new Contender<>(SPAWN, spawned::run)), 1);
    long[] forks = Stats.sortedUnion(millis.get(FORK));
    long[] spawns = Stats.sortedUnion(millis.get(SPAWN));
    double forkMedian = Stats.median(asDoubles(forks));
    String spread = String.format(Locale.ROOT, "fork %d..%d ms, spawn %d..%d ms over %d scale-ups each, the module "
            + "importing for %.1f s; goal fork: all %d ready within %.0f ms: %s", forks[0], forks[forks.length - 1],
        spawns[0], spawns[spawns.length - 1], forks.length, sizes.importSeconds(), sizes.scaleTo(),
        SCALE_GOAL_MILLIS, forkMedian <= SCALE_GOAL_MILLIS ? "met" : "missed");
    return new Row("python pool resize 1 → " + sizes.scaleTo() + ", fork vs spawn (median)", "ms", forkMedian,
        Stats.median(asDoubles(spawns)), false, spread);
  }

  private List<Row> requestRows(Rounds rounds, ChildPool sdk, ChildPool minimal) {
    int sequential = sizes.sequential();
    Map<String, List<Metered<ProbeRun>>> probes = rounds.measure(List.of(
        new Contender<>(SDK, n -> CpuMeter.around(sdk.pid(), () -> runs.sequential(sdk.type(), n))),
        new Contender<>(MINIMAL, n -> CpuMeter.around(minimal.pid(), () -> runs.sequential(minimal.type(), n)))),
        sequential);
    List<Double> sdkRates = perSecond(sequential, probes.get(SDK).stream().map(run -> run.result().nanos()).toList());
    List<Double> minimalRates =
        perSecond(sequential, probes.get(MINIMAL).stream().map(run -> run.result().nanos()).toList());
    long[] sdkLatencies = Stats.sortedUnion(probes.get(SDK).stream().map(run -> run.result().latencies()).toList());
    long[] minimalLatencies =
        Stats.sortedUnion(probes.get(MINIMAL).stream().map(run -> run.result().latencies()).toList());
    String latencies = String.format(Locale.ROOT, "; latency p50 sdk %.1f µs, minimal %.1f µs; "
            + "p99 sdk %.1f µs, minimal %.1f µs",
        micros(Stats.percentile(sdkLatencies, 50)), micros(Stats.percentile(minimalLatencies, 50)),
        micros(Stats.percentile(sdkLatencies, 99)), micros(Stats.percentile(minimalLatencies, 99)));
    Row oneInFlight = new Row("python request/reply (1 in flight)", Row.OPS, Stats.median(sdkRates),
        Stats.median(minimalRates), true, Throughput.spread(Row.OPS, SDK, sdkRates, MINIMAL, minimalRates) + latencies
        + cpu("request", sequential, probes));

    Row inFlight = rate(rounds, "python request/reply (" + window + " in flight)", Row.OPS, "request", sizes.requests(),
        sdk, minimal, type -> n -> runs.windowed(type, n, window));
    return List.of(oneInFlight, inFlight);
  }

  /**
   * A rate row: {@code count} units per run, each side's run given by the workload for its
   * pool's type. The spread adds the processor time per unit on each side.
   */
  private static Row rate(Rounds rounds, String operation, String unit, String noun, int count, ChildPool sdk,
                          ChildPool minimal, Function<String, Workload<Long>> workload) {
    Map<String, List<Metered<Long>>> runs = rounds.measure(List.of(
        new Contender<>(SDK, n -> CpuMeter.around(sdk.pid(), () -> workload.apply(sdk.type()).run(n))),
        new Contender<>(MINIMAL, n -> CpuMeter.around(minimal.pid(), () -> workload.apply(minimal.type()).run(n)))),
        count);
    List<Double> sdkRates = perSecond(count, runs.get(SDK).stream().map(Metered::result).toList());
    List<Double> minimalRates = perSecond(count, runs.get(MINIMAL).stream().map(Metered::result).toList());
    return new Row(operation, unit, Stats.median(sdkRates), Stats.median(minimalRates), true,
        Throughput.spread(unit, SDK, sdkRates, MINIMAL, minimalRates) + cpu(noun, count, runs));
  }

  private static Row withItemsGoal(Row row) {
    String goal = String.format(Locale.ROOT, "; goal sdk >= %,.0f %s: %s", ITEMS_GOAL, row.unit(),
        row.commbus() >= ITEMS_GOAL ? "met" : "missed");
    return new Row(row.operation(), row.unit(), row.commbus(), row.raw(), row.higherIsBetter(), row.spread() + goal);
  }

  /** Processor time per unit over every measured run, in the child and in the JVM, per side. */
  private static <T> String cpu(String noun, int count, Map<String, List<Metered<T>>> runs) {
    List<String> sides = new ArrayList<>();
    for (String side : List.of(SDK, MINIMAL)) {
      List<Metered<T>> measured = runs.get(side);
      double units = (double) count * measured.size();
      double child = measured.stream().mapToLong(Metered::childNanos).sum() / units / 1e3;
      double jvm = measured.stream().mapToLong(Metered::jvmNanos).sum() / units / 1e3;
      sides.add(String.format(Locale.ROOT, " %s child %.1f µs + JVM %.1f µs", side, child, jvm));
    }
    return "; CPU per " + noun + ":" + String.join(",", sides);
  }

  private Row coldStart(Rounds rounds) {
    ColdStarts starts = new ColdStarts(vertx);
    Map<String, List<long[]>> millis = rounds.measure(List.of(
        new Contender<>(SDK, n -> starts.run(() -> pools.sdk("bench.sdk.start", "echo"), n)),
        new Contender<>(MINIMAL, n -> starts.run(() -> pools.minimal("bench.minimal.start", PythonFiles.ECHO_CHILD),
            n))), sizes.starts());
    long[] sdk = Stats.sortedUnion(millis.get(SDK));
    long[] minimal = Stats.sortedUnion(millis.get(MINIMAL));
    double sdkMedian = Stats.median(asDoubles(sdk));
    String spread = String.format(Locale.ROOT, "sdk %d..%d ms, minimal %d..%d ms over %d starts each; "
            + "goal sdk < %.0f ms: %s", sdk[0], sdk[sdk.length - 1], minimal[0], minimal[minimal.length - 1],
        sdk.length, START_GOAL_MILLIS, sdkMedian < START_GOAL_MILLIS ? "met" : "missed");
    return new Row("python child cold start, spawn to ready (median)", "ms", sdkMedian,
        Stats.median(asDoubles(minimal)), false, spread);
  }

  /** Deploys both pools on the receiver loop, measures against them, undeploys them. */
  private <R> R withPools(ProcessVerticle sdk, ProcessVerticle minimal,
                          BiFunction<ChildPool, ChildPool, R> measurement) {
    return deployed(sdk, minimal, (a, b) -> measurement.apply(describe(a), describe(b)));
  }

  /** The same, with the pools themselves handed to the measurement. */
  private <R> R deployed(ProcessVerticle sdk, ProcessVerticle minimal,
                         BiFunction<ProcessVerticle, ProcessVerticle, R> measurement) {
    List<String> ids = await(loops.onReceiver(() -> placement.deployHere(sdk)
        .compose(first -> placement.deployHere(minimal).map(second -> List.of(first, second))
            .recover(e -> vertx.undeploy(first).transform(ar -> Future.failedFuture(e))))), "start the pools");
    try {
      return measurement.apply(sdk, minimal);
    } finally {
      await(Future.join(ids.stream().map(vertx::undeploy).collect(Collectors.toList())), "stop the pools");
    }
  }

  private static ChildPool describe(ProcessVerticle pool) {
    long pid = await(pool.children(), "list the children of " + pool.name()).getJsonObject(0).getLong("pid");
    return new ChildPool(pool.name(), pid);
  }

  private static List<Double> perSecond(int count, List<Long> nanos) {
    return Throughput.opsPerSecond(count, nanos);
  }

  private static List<Double> asDoubles(long[] values) {
    List<Double> doubles = new ArrayList<>(values.length);
    for (long value : values) {
      doubles.add((double) value);
    }
    return doubles;
  }

  private static double micros(long nanos) {
    return nanos / 1e3;
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.await(SETUP_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new BenchFailure("could not " + what + " within " + SETUP_SECONDS + " s", e);
    }
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> done = callbacks.stream().map(Registration::unregister).collect(Collectors.toList());
    return Future.join(done).compose(v -> bus.close()).compose(v -> files == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          files.delete();
          return null;
        }, false));
  }
}
