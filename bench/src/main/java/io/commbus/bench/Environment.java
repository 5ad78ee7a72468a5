package io.commbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** The conditions a run happened under, printed above the table so numbers keep their context. */
final class Environment {

  private Environment() {
  }

  static List<String> describe(BenchOptions options) {
    Runtime runtime = Runtime.getRuntime();
    List<String> lines = new ArrayList<>();
    lines.add("# commbus vs raw Vert.x event bus" + (options.quick() ? " (--quick: smoke test, numbers mean nothing)" : ""));
    lines.add("");
    lines.add("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + " (" + System.getProperty("java.vendor") + "), max heap " + runtime.maxMemory() / (1024 * 1024) + " MiB");
    lines.add("- cores: " + runtime.availableProcessors() + "; Vert.x " + mavenVersion("io.vertx", "vertx-core")
        + ", one instance, not clustered; sender and consumers on two different event loops");
    lines.add("- rounds: " + options.rounds() + " measured per side (throughput: median of rounds; latency: "
        + "percentiles over all measured samples) after " + options.warmups()
        + " warm-up run(s) per side; order rotates each round");
    List<String> sizes = new ArrayList<>();
    for (Suite suite : options.suites()) {
      switch (suite) {
        case PUBLISH:
          sizes.add("publish " + options.publishCount() + " events, at most " + Batches.MAX_BACKLOG + " not yet received");
          break;
        case SEND:
          sizes.add("send " + options.sendCount() + " commands, at most " + Batches.MAX_BACKLOG + " not yet received");
          break;
        case QUERY:
          sizes.add("query " + options.queryCount() + " queries, " + options.queryWindow() + " in flight");
          break;
        case DISPATCH:
          sizes.add("dispatch " + options.queryCount() + " requests, " + options.queryWindow() + " in flight, and "
              + options.latencyCount() + " sequential for latency");
          break;
        case JOURNAL:
          sizes.add("journal up to " + options.journalCount() + " appends of 256-byte events per run (fewer with fewer publishers), "
              + JournalScenario.ALWAYS_SHARE + " of that with fsync=always");
          break;
        case PROCESS:
          ProcessSizes process = options.process();
          sizes.add("process " + process.sequential() + " sequential and " + process.requests() + " windowed ("
              + options.queryWindow() + " in flight) requests, " + process.items() + " stream items each way, "
              + process.callbacks() + " callbacks, " + process.starts() + " cold start(s) per run and side");
          break;
        case CLIENTS:
          ClientSizes clients = options.clients();
          sizes.add("clients " + clients.sequential() + " sequential and " + clients.requests() + " windowed ("
              + options.queryWindow() + " in flight) requests per run and side; " + clients.publishes()
              + " client publishes (" + clients.publishes() * ClientScenario.JAVA_PUBLISH_FACTOR
              + " Java API) per run, " + options.queryWindow() + " in flight, fsync=" + ClientScenario.FSYNC
              + "; against gRPC " + clients.requests() + " client queries and "
              + ClientScenario.grpcCount(clients.requests()) + " gRPC calls per run, " + options.queryWindow()
              + " in flight");
          break;
        case PIPELINE:
          PipelineSizes pipeline = options.pipeline();
          sizes.add("pipeline " + pipeline.smallFrames() + " frames of " + PipelineScenario.SMALL_FRAME
              + " B per run (chains of 2 and 4), " + pipeline.bigFrames() + " of 1 MiB, " + pipeline.pacedFrames()
              + " at " + Math.round(PipelineScenario.PACE) + "/s for latency, " + pipeline.creates()
              + " session creates per run and start mode");
          break;
        default:
          sizes.add("latency " + options.latencyCount() + " sequential queries per round");
          break;
      }
    }
    lines.add("- N per run: " + String.join("; ", sizes));
    if (options.suites().contains(Suite.PROCESS) || options.suites().contains(Suite.CLIENTS)) {
      lines.add("- process: children run " + pythonVersion() + " (the interpreter python3 on the PATH resolves to, "
          + "shims skipped), one child per pool; Vert.x on its native transport");
    }
    if (options.suites().contains(Suite.PIPELINE)) {
      lines.add("- pipeline: session nodes run " + pythonVersion() + " on the SDK, forked from a template (spawned on "
          + "the create row's baseline side); the baseline chains are plain processes of the same interpreter on "
          + "socketpairs, blocking reads and writes; rounds of its own: " + PipelineScenario.describeRounds(options));
    }
    lines.add("- CommBus: default options, empty middleware chain, OpenTelemetry API without SDK (no-op spans)");
    return lines;
  }

  private static String pythonVersion() {
    try {
      Process python = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      String version = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return python.waitFor(5, TimeUnit.SECONDS) && !version.isEmpty() ? version : "(python3 version unknown)";
    } catch (IOException e) {
      return "(python3 not found: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(python3 version unknown)";
    }
  }

  // The version from the jar's Maven metadata, which survives shading; the manifest does not.
  private static String mavenVersion(String group, String artifact) {
    String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Environment.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "(version unknown)";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "(version unknown)");
    } catch (IOException e) {
      return "(version unknown)";
    }
  }
}
