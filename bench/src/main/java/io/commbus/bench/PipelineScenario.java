package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.StartMode;
import io.commbus.process.pipeline.PipelineSpec;
import io.commbus.process.pipeline.SessionOptions;
import io.commbus.process.pipeline.Sessions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Pipeline sessions beside plain processes. A session's frames go from Python process to
 * Python process over the SDK's channels, never through the JVM; the baseline is the same
 * chain of plain Python processes on socketpairs, in the same framing, with no commbus at all
 * ({@code bench/python/pipe_baseline.py}). Both sides' sinks report the same tally
 * ({@code pipe_workload.py}), so every rate and latency is taken the same way, in the sink:
 * from the first frame to the last. The create row times a session's start instead, fork
 * mode against spawn. Its sessions are started on the driver loop, where the rounds run,
 * since a session's output is read on the context its sessions were started on.
 */
final class PipelineScenario implements Scenario {

  /** The paced row's frames a second: 20 ms frames, as audio goes. */
  static final double PACE = 50;
  static final int SMALL_FRAME = 640;
  static final int BIG_FRAME = 1024 * 1024;
  /** What the issue asks of the frame rates: this much of the plain chain's. */
  static final double RATIO_GOAL = 0.8;
  static final double HOP_GOAL_MB_PER_SECOND = 1_000;
  static final double LATENCY_GOAL_MICROS = 1_000;
  static final double FORK_GOAL_MILLIS = 100;
  static final double SPAWN_GOAL_MILLIS = 300;

  /**
   * Measured rounds per row at most. The JVM is not on the frames' path, so its JIT needs no
   * long warm-up; one warm-up run per side starts the fork template and fills the page cache.
   */
  private static final int ROUNDS = 3;
  /** A paced run lasts its frames over the pace whatever the machine does: two rounds give enough samples. */
  private static final int LATENCY_ROUNDS = 2;
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
  /** Frames enough that the create row's sessions are still running when they are terminated. */
  private static final int IDLE_FRAMES = 1_000_000;
  private static final long MICROS_PER_MILLI = 1_000;
  private static final String COMMBUS = "commbus";
  private static final String PLAIN = "plain";
  private static final String FORK = "fork";
  private static final String SPAWN = "spawn";

  private final Vertx vertx;
  private final Loops loops;
  private final PipelineSizes sizes;
  private final CommBus bus;
  private PythonFiles files;
  private Sessions forked;
  private Sessions spawned;
  private SessionChains sessionChains;
  private PlainChains plainChains;

  PipelineScenario(Vertx vertx, Loops loops, PipelineSizes sizes) {
    this.vertx = vertx;
    this.loops = loops;
    this.sizes = sizes;
    this.bus = CommBus.create(vertx);
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> {
      Path python = PythonInterpreter.resolve();
      files = PythonFiles.extract();
      plainChains = new PlainChains(vertx, python, files, RUN_TIMEOUT);
      return python;
    }, false).compose(python -> loops.onDriver(() -> Sessions.start(vertx, bus, options(python, StartMode.FORK))
        .compose(fork -> {
          forked = fork;
          sessionChains = new SessionChains(fork);
          return Sessions.start(vertx, bus, options(python, StartMode.SPAWN));
        })
        .map(spawn -> {
          spawned = spawn;
          return null;
        })));
  }

  /** The nodes run the bench's Python files on the interpreter both sides use; their sockets go under those files. */
  private SessionOptions options(Path python, StartMode mode) {
    PythonProcessConfig nodes = new PythonProcessConfig().setPython(python.toString())
        .addPythonPath(files.directory());
    nodes.getProcess().setStartMode(mode).setRuntimeDirectory(files.directory().resolve("sessions"));
    return new SessionOptions().setPython(nodes);
  }

  /** How many runs the rows make, for the report's header: not the other suites' rounds. */
  static String describeRounds(BenchOptions options) {
    return String.format(Locale.ROOT, "1 warm-up and %d measured run(s) per side, the latency row %d and no warm-up",
        Math.min(ROUNDS, options.rounds()), Math.min(LATENCY_ROUNDS, options.rounds()));
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Rounds few = new Rounds(loops, 1, Math.min(ROUNDS, rounds.rounds()), RUN_TIMEOUT);
    List<Row> rows = new ArrayList<>();
    rows.add(ratioGoal(frameRate(few, "pipeline 640 B frames, chain of 2 (frames/s)",
        ChainLoad.flat(2, SMALL_FRAME, sizes.smallFrames()))));
    rows.add(ratioGoal(frameRate(few, "pipeline 640 B frames, chain of 4 (frames/s)",
        ChainLoad.flat(4, SMALL_FRAME, sizes.smallFrames()))));
    rows.add(bandwidth(few, ChainLoad.flat(2, BIG_FRAME, sizes.bigFrames())));
    rows.add(latency(new Rounds(loops, 0, Math.min(LATENCY_ROUNDS, rounds.rounds()), RUN_TIMEOUT),
        ChainLoad.paced(2, SMALL_FRAME, PACE, sizes.pacedFrames())));
    rows.add(createToReady(few));
    return rows;
  }

  private Row frameRate(Rounds rounds, String operation, ChainLoad load) {
    return rate(rounds, operation, "frames/s", load, SinkReport::framesPerSecond);
  }

  /** Megabytes (10^6 bytes) of frame bodies a second through one hop, the chain being of one. */
  private Row bandwidth(Rounds rounds, ChainLoad load) {
    Row row = rate(rounds, "pipeline 1 MiB frames, chain of 2 (MB/s per hop)", "MB/s", load,
        report -> report.framesPerSecond() * load.frameBytes() / 1e6);
    return withGoal(row, String.format(Locale.ROOT, "commbus >= %,.0f MB/s per hop", HOP_GOAL_MB_PER_SECOND),
        row.commbus() >= HOP_GOAL_MB_PER_SECOND);
  }

  /** A rate row, the median of each side's runs, with the sinks' processor time per frame. */
  private Row rate(Rounds rounds, String operation, String unit, ChainLoad load,
                   ToDoubleFunction<SinkReport> measure) {
    Map<String, List<SinkReport>> runs = chainRuns(rounds, load);
    List<Double> ours = runs.get(COMMBUS).stream().map(measure::applyAsDouble).toList();
    List<Double> plain = runs.get(PLAIN).stream().map(measure::applyAsDouble).toList();
    Row row = Throughput.row(operation, unit, COMMBUS, ours, PLAIN, plain);
    String cpu = String.format(Locale.ROOT, "; sink CPU per frame: commbus %.1f µs, plain %.1f µs; %,d frames per run",
        meanCpu(runs.get(COMMBUS)), meanCpu(runs.get(PLAIN)), load.frames());
    return new Row(row.operation(), row.unit(), row.commbus(), row.raw(), true, row.spread() + cpu);
  }

  /** Each frame timed from its source's stamp to its sink, over every measured run: the hop's latency. */
  private Row latency(Rounds rounds, ChainLoad load) {
    Map<String, List<SinkReport>> runs = chainRuns(rounds, load);
    long[] ours = Stats.sortedUnion(runs.get(COMMBUS).stream().map(SinkReport::latenciesMicros).toList());
    long[] plain = Stats.sortedUnion(runs.get(PLAIN).stream().map(SinkReport::latenciesMicros).toList());
    long p99 = Stats.percentile(ours, 99);
    String spread = String.format(Locale.ROOT, "p50 commbus %d µs, plain %d µs; p99 commbus %d µs, plain %d µs; "
            + "max commbus %d µs, plain %d µs; %d frames each at %.0f/s", Stats.percentile(ours, 50),
        Stats.percentile(plain, 50), p99, Stats.percentile(plain, 99), ours[ours.length - 1], plain[plain.length - 1],
        ours.length, load.rate());
    Row row = new Row("pipeline added latency per hop at " + Math.round(load.rate()) + " frames/s, p99 (µs)",
        Row.MICROS, p99, Stats.percentile(plain, 99), false, spread);
    return withGoal(row, String.format(Locale.ROOT, "commbus p99 < %,.0f µs", LATENCY_GOAL_MICROS),
        p99 < LATENCY_GOAL_MICROS);
  }

  private Map<String, List<SinkReport>> chainRuns(Rounds rounds, ChainLoad load) {
    return rounds.measure(List.of(
        new Contender<>(COMMBUS, n -> sessionChains.run(load.withFrames(n))),
        new Contender<>(PLAIN, n -> plainChains.run(load.withFrames(n)))), load.frames());
  }

  /**
   * Sessions of source → relay → sink created and terminated one after another, forked from the
   * template against spawned. The rounds' warm-up creates start the fork template, untimed.
   */
  private Row createToReady(Rounds rounds) {
    PipelineSpec spec = SessionChains.spec(new ChainLoad(3, IDLE_FRAMES, SMALL_FRAME, PACE, false));
    SessionCreates forks = new SessionCreates(forked, spec, FORK);
    SessionCreates spawns = new SessionCreates(spawned, spec, SPAWN);
    Map<String, List<long[]>> micros = rounds.measure(List.of(new Contender<>(FORK, forks::run),
        new Contender<>(SPAWN, spawns::run)), sizes.creates());
    List<Double> forkMillis = millis(Stats.sortedUnion(micros.get(FORK)));
    List<Double> spawnMillis = millis(Stats.sortedUnion(micros.get(SPAWN)));
    double fork = Stats.median(forkMillis);
    double spawn = Stats.median(spawnMillis);
    String spread = String.format(Locale.ROOT, "fork %.0f..%.0f ms, spawn %.0f..%.0f ms over %d creates each; "
            + "goal fork < %.0f ms: %s, spawn < %.0f ms: %s", Stats.min(forkMillis), Stats.max(forkMillis),
        Stats.min(spawnMillis), Stats.max(spawnMillis), forkMillis.size(), FORK_GOAL_MILLIS,
        metOrMissed(fork < FORK_GOAL_MILLIS), SPAWN_GOAL_MILLIS, metOrMissed(spawn < SPAWN_GOAL_MILLIS));
    return new Row("pipeline session create-to-ready, 3 nodes, fork vs spawn (ms)", "ms", fork, spawn, false, spread);
  }

  private static Row ratioGoal(Row row) {
    return withGoal(row, String.format(Locale.ROOT, "commbus >= %.1f of plain", RATIO_GOAL), row.ratio() >= RATIO_GOAL);
  }

  private static Row withGoal(Row row, String goal, boolean met) {
    return new Row(row.operation(), row.unit(), row.commbus(), row.raw(), row.higherIsBetter(),
        row.spread() + "; goal " + goal + ": " + metOrMissed(met));
  }

  private static String metOrMissed(boolean met) {
    return met ? "met" : "missed";
  }

  private static double meanCpu(List<SinkReport> runs) {
    return runs.stream().mapToDouble(SinkReport::cpuMicrosPerFrame).average().orElse(0);
  }

  private static List<Double> millis(long[] micros) {
    List<Double> millis = new ArrayList<>(micros.length);
    for (long value : micros) {
      millis.add((double) value / MICROS_PER_MILLI);
    }
    return millis;
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    for (Sessions sessions : new Sessions[] {forked, spawned}) {
      if (sessions != null) {
        closing.add(sessions.close());
      }
    }
    // Each step runs whether the one before failed or not, and the first failure is what close reports.
    return Future.join(closing).<Void>mapEmpty().eventually(bus::close)
        .eventually(() -> files == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          files.delete();
          return null;
        }, false));
  }
}
