package io.commbus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How much to measure. Full sizes are chosen so every suite together stays under a minute on
 * two cores while each measured run still lasts long enough (tenths of a second) for the
 * clock and GC noise to be small next to it.
 */
public record BenchOptions(boolean quick, List<Suite> suites, int warmups, int rounds, int publishCount,
                           int sendCount, int queryCount, int queryWindow, int latencyCount, int journalCount,
                           ProcessSizes process, ClientSizes clients, PipelineSizes pipeline,
                           Duration runTimeout) {

  public static final String USAGE = "usage: java -jar commbus-bench.jar [--quick] [suite...]\n"
      + "  suites: publish, send, query, latency, journal, dispatch, process, clients, pipeline (default: all)\n"
      + "  --quick  tiny sizes and one round, for a smoke test; the numbers mean nothing";

  public BenchOptions {
    suites = List.copyOf(suites);
    if (suites.isEmpty()) {
      throw new IllegalArgumentException("no suite to run");
    }
    if (warmups < 0 || rounds < 1) {
      throw new IllegalArgumentException("need at least one round and no negative warm-ups");
    }
    if (Math.min(Math.min(publishCount, sendCount), Math.min(queryCount, latencyCount)) < 1 || queryWindow < 1
        || journalCount < 1) {
      throw new IllegalArgumentException("every size must be at least 1");
    }
    Objects.requireNonNull(process, "process");
    Objects.requireNonNull(clients, "clients");
    Objects.requireNonNull(pipeline, "pipeline");
  }

  /** The sizes the published numbers come from. */
  public static BenchOptions full(Set<Suite> suites) {
    return new BenchOptions(false, ordered(suites), 2, 5, 1_000_000, 300_000, 300_000, 64, 10_000, 100_000,
        ProcessSizes.full(), ClientSizes.full(), PipelineSizes.full(), Duration.ofSeconds(60));
  }

  /** Just enough work to prove every path runs end to end. */
  public static BenchOptions quick(Set<Suite> suites) {
    return new BenchOptions(true, ordered(suites), 1, 1, 2_000, 1_000, 1_000, 64, 200, 2_000, ProcessSizes.quick(),
        ClientSizes.quick(), PipelineSizes.quick(), Duration.ofSeconds(30));
  }

  /** Reads {@code [--quick] [suite...]}; no suite means all of them. */
  public static BenchOptions parse(String... args) {
    boolean quick = false;
    Set<Suite> suites = EnumSet.noneOf(Suite.class);
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.startsWith("-")) {
        throw new IllegalArgumentException("unknown option '" + arg + "'");
      } else {
        suites.add(Suite.named(arg));
      }
    }
    if (suites.isEmpty()) {
      suites = EnumSet.allOf(Suite.class);
    }
    return quick ? quick(suites) : full(suites);
  }

  /** How many operations one run of a suite performs. */
  public int count(Suite suite) {
    switch (suite) {
      case PUBLISH:
        return publishCount;
      case SEND:
        return sendCount;
      case QUERY:
        return queryCount;
      case JOURNAL:
        return journalCount;
      case DISPATCH:
        return queryCount;
      case PROCESS:
        return process.requests();
      case CLIENTS:
        return clients.requests();
      case PIPELINE:
        return pipeline.smallFrames();
      default:
        return latencyCount;
    }
  }

  // Suites always run in the same order whatever the command line says, so runs compare.
  private static List<Suite> ordered(Set<Suite> suites) {
    return new ArrayList<>(suites.isEmpty() ? EnumSet.allOf(Suite.class) : EnumSet.copyOf(suites));
  }
}
