package io.commbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

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
        default:
          sizes.add("latency " + options.latencyCount() + " sequential queries per round");
          break;
      }
    }
    lines.add("- N per run: " + String.join("; ", sizes));
    lines.add("- CommBus: default options, empty middleware chain, OpenTelemetry API without SDK (no-op spans)");
    return lines;
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
