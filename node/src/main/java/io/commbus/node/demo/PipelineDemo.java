package io.commbus.node.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.StartMode;
import io.commbus.process.pipeline.ChannelItem;
import io.commbus.process.pipeline.FailurePolicy;
import io.commbus.process.pipeline.PipelineSpec;
import io.commbus.process.pipeline.Session;
import io.commbus.process.pipeline.SessionEvents;
import io.commbus.process.pipeline.SessionOptions;
import io.commbus.process.pipeline.Sessions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The audio pipeline of examples/pipeline, end to end: two sessions of it at once, a process
 * per node, and one node of each killed mid-stream to show what each failure policy does.
 */
public final class PipelineDemo {

  private static final long WAIT_SECONDS = 60;
  private static final long KILL_AFTER_MILLIS = 1500;
  private static final String RESTARTING = "calls-1";
  private static final String TERMINATING = "calls-2";

  private final PrintStream out;
  private final List<JsonObject> lost = new CopyOnWriteArrayList<>();
  private final List<JsonObject> restarted = new CopyOnWriteArrayList<>();
  private Context context;

  public PipelineDemo(PrintStream out) {
    this.out = out;
  }

  /** Runs the demo; 0 when every step behaved as shown. */
  public int run() throws Exception {
    // The demo narrates the kills itself; the supervisor's warnings would only repeat them.
    java.util.logging.Logger processLog = java.util.logging.Logger.getLogger("io.commbus.process");
    java.util.logging.Level previous = processLog.getLevel();
    processLog.setLevel(java.util.logging.Level.SEVERE);
    long started = System.nanoTime();
    Path work = Files.createTempDirectory("commbus-pipeline-demo-");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    Sessions sessions = null;
    try {
      context = vertx.getOrCreateContext();
      CommBus bus = CommBus.create(vertx);
      await(bus.subscribe(SessionEvents.ITEMS_LOST, m -> lost.add(m.json())).ready());
      await(bus.subscribe(SessionEvents.NODE_RESTARTED, m -> restarted.add(m.json())).ready());
      Path examples = DemoFiles.unpack("pipeline", List.of("audio_nodes.py", "audio.yaml"), work.resolve("pipeline"));
      out.println("commbus demo pipeline: an audio pipeline, a process per node, two sessions at once");
      out.println();
      out.println("[1/4] tone -> gate -> resample -> sink: 20 ms frames of 16 kHz PCM, checksummed, at real time");
      PythonProcessConfig python = new PythonProcessConfig().addPythonPath(examples);
      // Forked from a template that imported the SDK once: a node is ready in tens of milliseconds.
      python.getProcess().setRuntimeDirectory(work).setStartMode(StartMode.FORK);
      SessionOptions options = new SessionOptions().setPython(python);
      sessions = await(onContext(() -> Sessions.start(vertx, bus, options)));
      int code = walkThrough(vertx, sessions, examples.resolve("audio.yaml"));
      out.println();
      out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - started) / 1e9);
      return code;
    } finally {
      if (sessions != null) {
        sessions.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
      }
      vertx.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
      DemoFiles.delete(work);
      processLog.setLevel(previous);
    }
  }

  private int walkThrough(Vertx vertx, Sessions sessions, Path specFile) throws Exception {
    @SuppressWarnings("unchecked")
    JsonObject spec = new JsonObject(new ObjectMapper(new YAMLFactory()).readValue(Files.readString(specFile),
        Map.class));
    PipelineSpec restart = PipelineSpec.read(spec.copy().put("failurePolicy", FailurePolicy.RESTART.wireName()));
    PipelineSpec terminate = PipelineSpec.read(spec.copy().put("failurePolicy", FailurePolicy.TERMINATE.wireName()));
    out.println("[2/4] two sessions of " + spec.getString("name") + " created at once: " + RESTARTING
        + " (failurePolicy restart) and " + TERMINATING + " (terminate)");
    Future<Session> first = sessions.create(RESTARTING, restart);
    Future<Session> second = sessions.create(TERMINATING, terminate);
    Session one = await(first);
    Session two = await(second);
    for (Session session : List.of(one, two)) {
      JsonObject status = await(onContext(() -> Future.succeededFuture(session.status())));
      out.printf(Locale.ROOT, "      %s: %d processes ready in %d ms%n", session.id(),
          status.getJsonArray("nodes").size(), status.getLong("readyMillis"));
    }
    Future<List<JsonObject>> reportOne = report(one);
    Future<List<JsonObject>> reportTwo = report(two);

    out.println();
    await(delay(vertx, KILL_AFTER_MILLIS));
    long gate = pid(one, "gate");
    long resample = pid(two, "resample");
    out.println("[3/4] " + KILL_AFTER_MILLIS + " ms in: SIGKILL to " + RESTARTING + "'s gate (pid " + gate + ") and to "
        + TERMINATING + "'s resample (pid " + resample + ")");
    ProcessHandle.of(gate).ifPresent(ProcessHandle::destroyForcibly);
    ProcessHandle.of(resample).ifPresent(ProcessHandle::destroyForcibly);

    Throwable ended = await(reportTwo.transform(ar -> Future.succeededFuture(ar.cause())));
    boolean terminatedAsShown = ended instanceof CommBusException e && e.getMessage().contains("node resample");
    out.println("      " + TERMINATING + ": " + (ended == null ? "completed, which it should not have"
        : ended instanceof CommBusException e ? e.code() + ": " + e.getMessage() : ended.toString()));

    List<JsonObject> reports = await(reportOne);
    long lostItems = lost.stream().filter(e -> RESTARTING.equals(e.getString("session")))
        .mapToLong(e -> e.getLong("lost")).sum();
    boolean restartedAsShown = restarted.stream().anyMatch(e -> RESTARTING.equals(e.getString("session"))
        && "gate".equals(e.getString("node")));
    out.println("      " + RESTARTING + ": gate " + (restartedAsShown ? "restarted" : "was not restarted") + "; of the "
        + "items sent to it, " + lostItems + " at most were lost with it (sent, not yet confirmed taken)");

    out.println();
    if (reports.size() != 1) {
      out.println("[4/4] " + RESTARTING + " sent " + reports.size() + " reports, not one");
      return 1;
    }
    JsonObject report = reports.get(0);
    out.printf(Locale.ROOT, "[4/4] %s completed: %d of %d voiced frames arrived, checked and in order, %d corrupt; "
        + "%d lost%s%n", RESTARTING, report.getInteger("frames"), report.getInteger("voiced"), report.getInteger("corrupt"),
        report.getInteger("missing"), report.getValue("missingFrom") == null ? ""
            : " (from frame " + report.getValue("missingFrom") + ", as gate died)");
    List<String> hops = new ArrayList<>();
    for (Object hop : report.getJsonArray("hops", new JsonArray())) {
      JsonObject figures = (JsonObject) hop;
      hops.add(String.format(Locale.ROOT, "%s %.2f / %.2f ms", figures.getString("node"),
          figures.getDouble("p50_ms", -1.0), figures.getDouble("p99_ms", -1.0)));
    }
    out.println("      latency of the hop into each node (p50 / p99): " + String.join(", ", hops));
    boolean reportAsShown = report.getInteger("corrupt") == 0 && report.getInteger("frames") > 0
        && report.getInteger("frames") + report.getInteger("missing") == report.getInteger("voiced");
    return terminatedAsShown && restartedAsShown && reportAsShown ? 0 : 1;
  }

  /** The JSON items of the session's output {@code sink}: its report, once its input ends. */
  private Future<List<JsonObject>> report(Session session) {
    return onContext(() -> {
      Promise<List<JsonObject>> done = Promise.promise();
      List<JsonObject> items = new ArrayList<>();
      session.output("sink").exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(items))
          .handler((ChannelItem item) -> {
            if (item.data() instanceof JsonObject json) {
              items.add(json);
            }
          });
      return done.future();
    });
  }

  private long pid(Session session, String node) throws Exception {
    JsonObject status = await(onContext(() -> Future.succeededFuture(session.status())));
    for (Object entry : status.getJsonArray("nodes")) {
      JsonObject described = (JsonObject) entry;
      if (node.equals(described.getString("id"))) {
        return described.getLong("pid");
      }
    }
    throw new IllegalStateException("session " + session.id() + " has no node " + node);
  }

  private static Future<Void> delay(Vertx vertx, long millis) {
    Promise<Void> elapsed = Promise.promise();
    vertx.setTimer(millis, t -> elapsed.complete());
    return elapsed.future();
  }

  /** Runs {@code work} on the demo's context, where the sessions' streams are used. */
  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
