package io.commbus.bench;

import io.commbus.process.pipeline.PipelineNode;
import io.commbus.process.pipeline.PipelineSpec;
import io.commbus.process.pipeline.Session;
import io.commbus.process.pipeline.Sessions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * The CommBus side of the pipeline rows: each run is a session of a chain of the SDK's nodes
 * (pipeline_nodes.py: frames, relays, tally) joined by the SDK's channels, read at its one
 * open output, the sink's, where the sink's report arrives once its input has ended. Runs on
 * the context the sessions were started on, which is where a session's output is read.
 */
final class SessionChains {

  static final String MODULE = "pipeline_nodes";
  static final String SOURCE = "source";
  static final String SINK = "sink";
  private static final Duration INIT_TIMEOUT = Duration.ofSeconds(30);

  private final Sessions sessions;
  // Session ids must be unique while a session runs; a run number makes them so for good.
  private int runs;

  SessionChains(Sessions sessions) {
    this.sessions = sessions;
  }

  /** Completes with the sink's report once the session has ended, every node gone. */
  Future<SinkReport> run(ChainLoad load) {
    return sessions.create("chain-" + ++runs, spec(load)).compose(session -> report(session)
        .compose(json -> session.ended().map(v -> SinkReport.read(json, load, "the session's"))));
  }

  private static Future<JsonObject> report(Session session) {
    Promise<JsonObject> report = Promise.promise();
    session.output(SINK)
        .exceptionHandler(report::tryFail)
        .endHandler(v -> report.tryFail(new BenchFailure("session " + session.id()
            + ": the sink ended without a report")))
        .handler(item -> {
          if (item.data() instanceof JsonObject json) {
            report.tryComplete(json);
          } else {
            report.tryFail(new BenchFailure("session " + session.id() + ": the sink's report is not a JSON object: "
                + item));
          }
        });
    return report.future();
  }

  /** source → relay-1 → ... → sink, {@code load.nodes()} in all, on the channels' default capacity. */
  static PipelineSpec spec(ChainLoad load) {
    PipelineSpec.Builder spec = PipelineSpec.builder("bench-chain-" + load.nodes()).initTimeout(INIT_TIMEOUT)
        .node(PipelineNode.python(SOURCE, MODULE + ":frames").withInputs().withConfig(load.sourceConfig()));
    String upstream = SOURCE;
    for (int i = 1; i <= load.nodes() - 2; i++) {
      String relay = "relay-" + i;
      spec.node(PipelineNode.python(relay, MODULE + ":relay")).connect(upstream, relay);
      upstream = relay;
    }
    return spec.node(PipelineNode.python(SINK, MODULE + ":tally").withConfig(load.sinkConfig()))
        .connect(upstream, SINK).build();
  }
}
