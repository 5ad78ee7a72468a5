package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.ChildSpec;
import io.commbus.process.pool.RuntimeDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs, on this host, the nodes that sessions owned by other hosts place here
 * (docs/pipelines.md, "Across hosts"). The owner asks with a streamed query of
 * {@code commbus.sessions.host.<nodeName>.run} naming the node and how each of its ports is
 * joined: a channel between two nodes of this host (a socket in the session's directory here,
 * child to child), a channel from another host (pulled from the bus, {@link ChannelPull}), one
 * to another host or a session's open output (served on the bus, {@link PortOutput}), or an open
 * input (written on the bus, {@link PortInput}). The stream answers the node's events, a
 * heartbeat while it is quiet, and ends when the node is done; the owner closing it stops the node.
 * Used on the sessions' context.
 */
final class SessionHost {

  private static final String PREFIX = "commbus.sessions.host.";
  /** How often a quiet run says it is alive: within any stream idle timeout of the owner's. */
  private static final long HEARTBEAT_MILLIS = PortOutput.HEARTBEAT_MILLIS;
  /** Heartbeats in a row that find the owner's window full before the owner counts as gone. */
  private static final int OWNER_GONE_TICKS = 12;

  private final Context context;
  private final CommBus bus;
  private final ChildSpec childSpec;
  private final ClassLoader classes;
  private final Path runtimeParent;
  private final String nodeName;
  /** The directory of each session that has a node here, and how many of its runs use it. */
  private final Map<String, HostedSession> hosted = new HashMap<>();
  private final List<Run> runs = new ArrayList<>();
  /** The latest run of each node here, by session and node id. */
  private final Map<String, Run> current = new HashMap<>();

  private static final class HostedSession {
    final Future<RuntimeDirectory> directory;
    int runs;

    HostedSession(Future<RuntimeDirectory> directory) {
      this.directory = directory;
    }
  }

  SessionHost(Context context, CommBus bus, ChildSpec childSpec, ClassLoader classes, Path runtimeParent,
              String nodeName) {
    this.context = context;
    this.classes = classes;
    this.bus = bus;
    this.childSpec = childSpec;
    this.runtimeParent = runtimeParent;
    this.nodeName = nodeName;
  }

  /** The bus type the host {@code nodeName} runs nodes at. */
  static String runType(String nodeName) {
    return PREFIX + nodeName + ".run";
  }

  Future<Registration> register() {
    return bus.registerStreamHandler(runType(nodeName), this::run);
  }

  /** Stops every node running here for other hosts; completes once they are gone. */
  Future<Void> close() {
    return Future.join(new ArrayList<>(runs).stream().map(Run::stop).toList()).mapEmpty();
  }

  private void run(Message query, StreamSink<Object> sink) {
    JsonObject request = query.json();
    String session = request == null ? null : request.getString("session");
    if (!Sessions.wellFormed(session) || !(request.getValue("node") instanceof JsonObject)) {
      sink.fail(new CommBusException(ErrorCode.INVALID_MESSAGE, "a node's run names its session and its node"));
      return;
    }
    HostedSession place = hosted.computeIfAbsent(session, id -> new HostedSession(context.owner().executeBlocking(
        () -> RuntimeDirectory.create(runtimeParent, "session " + id), false)));
    place.runs++;
    // A restart's run may come while the last one's teardown is still under way: it waits for it.
    String key = session + "/" + request.getJsonObject("node").getString("id");
    Run previous = current.get(key);
    Future<Void> before = previous == null ? Future.succeededFuture() : previous.stop();
    // The run exists from now on, so a cancel that comes while it waits is not lost, and close() finds it.
    Run run = new Run(session, request, sink);
    runs.add(run);
    current.put(key, run);
    sink.cancelHandler(v -> run.stop());
    // An owner that went away (its stream failed) takes its nodes here with it.
    sink.exceptionHandler(e -> run.stop());
    before.transform(v -> place.directory).onComplete(made -> {
      if (made.failed()) {
        sink.fail(CommBusException.wrap(made.cause(), ErrorCode.INTERNAL));
        run.stop();
      } else {
        run.start(made.result());
      }
    });
  }

  /** One run's end: the session's directory goes with the last of its runs here. */
  private void release(String session) {
    HostedSession place = hosted.get(session);
    if (place != null && --place.runs == 0) {
      hosted.remove(session);
      place.directory.onSuccess(directory -> context.owner().executeBlocking(() -> {
        directory.delete();
        return null;
      }, false));
    }
  }

  /** One node of another host's session, running here. */
  private final class Run implements NodeRun.Listener {
    private final String session;
    private final JsonObject request;
    private RuntimeDirectory directory;
    private final StreamSink<Object> events;
    private final JsonObject node;
    private final boolean resumable;
    private final long patience;
    private final List<Registration> registrations = new ArrayList<>();
    private final List<SessionOutput> outputs = new ArrayList<>();
    private final List<ChannelPull> pulls = new ArrayList<>();
    private final List<ChannelSink> sinks = new ArrayList<>();
    private NodeRun process;
    private long heartbeat = -1;
    private int fullTicks;
    private boolean stopping;
    private boolean stopped;
    private final Promise<Void> gone = Promise.promise();

    Run(String session, JsonObject request, StreamSink<Object> events) {
      this.session = session;
      this.request = request;
      this.events = events;
      this.node = request.getJsonObject("node");
      this.resumable = request.getBoolean("resumable", false);
      this.patience = request.getLong("initTimeout", PipelineSpec.DEFAULT_INIT_TIMEOUT.toMillis());
    }

    private Path path(JsonObject port) {
      return directory.channel(port.getInteger("channel"));
    }

    void start(RuntimeDirectory made) {
      if (stopping) {
        return;  // cancelled while it waited for its directory
      }
      directory = made;
      heartbeat = context.owner().setPeriodic(HEARTBEAT_MILLIS, t -> {
        fullTicks = events.writeQueueFull() ? fullTicks + 1 : 0;
        if (events.isCancelled() || fullTicks >= OWNER_GONE_TICKS) {
          stop();  // its owner has taken nothing for several heartbeats: it is gone
        } else if (fullTicks == 0) {
          events.write(new JsonObject().put("event", "alive"));
        }
      });
      // The outputs served on the bus listen first: the node connects to them as it starts.
      List<Future<Void>> served = new ArrayList<>();
      JsonObject outputsWanted = request.getJsonObject("outputs", new JsonObject());
      for (String port : outputsWanted.fieldNames()) {
        JsonObject wanted = outputsWanted.getJsonObject(port);
        String type = wanted.getString("export");
        if (type != null) {
          served.add(ChannelSource.listen(context.owner(), path(wanted), PipelineSpec.DEFAULT_CAPACITY, resumable)
              .compose(source -> {
                if (stopped) {
                  return source.close().transform(v -> Future.failedFuture("the node was stopped"));
                }
                SessionOutput output = new SessionOutput(new Port(node.getString("id"), port), source);
                outputs.add(output);
                return bus.registerStreamHandler(type, new PortOutput("session " + session + ": output "
                    + output.port(), output, context.owner())::attach);
              }).onSuccess(this::keep).compose(Registration::ready));
        }
      }
      Future.all(served).onComplete(all -> {
        if (stopping) {
          return;  // stopped while its outputs were being made; the teardown closes them
        }
        if (all.failed()) {
          fail(all.cause());
          return;
        }
        String id = node.getString("id");
        JsonObject config = node.getValue("config") instanceof JsonObject given ? given : new JsonObject();
        if (node.getString("java") != null) {
          process = new JavaNodeRun(context, bus, classes, session, PipelineNode.java(id, node.getString("java"))
              .withConfig(config), serveNodeRequest(), this);
        } else {
          String target = node.getString("module") + ":" + node.getString("function");
          process = new LocalNodeRun(context, bus, childSpec, session + "/" + id, PipelineNode.python(id, target)
              .withConfig(config), serveNodeRequest(), directory.socket(request.getInteger("slot", 0),
              request.getLong("run", 1L)), this);
        }
        process.start();
      });
    }

    /** What the node's runner is sent: every port a socket in the session's directory here. */
    private JsonObject serveNodeRequest() {
      JsonObject in = new JsonObject();
      JsonObject inputs = request.getJsonObject("inputs", new JsonObject());
      for (String port : inputs.fieldNames()) {
        JsonObject wanted = inputs.getJsonObject(port);
        in.put(port, new JsonObject().put("path", path(wanted).toString())
            .put("capacity", wanted.getInteger("capacity", PipelineSpec.DEFAULT_CAPACITY)));
      }
      JsonObject out = new JsonObject();
      JsonObject outputs = request.getJsonObject("outputs", new JsonObject());
      for (String port : outputs.fieldNames()) {
        out.put(port, path(outputs.getJsonObject(port)).toString());
      }
      return new JsonObject().put("module", node.getString("module")).put("function", node.getString("function"))
          .put("java", node.getString("java")).put("config", node.getValue("config")).put("inputs", in).put("outputs", out)
          .put("connectTimeout", patience).put("resumable", resumable);
    }

    /** Keeps a registration for the teardown, or, made after it, drops it at once. */
    private void keep(Registration registration) {
      if (stopped) {
        registration.unregister();
      } else {
        registrations.add(registration);
      }
    }

    @Override
    public void ready(NodeRun run) {
      // The node listens on its inputs now: what feeds them from the bus connects, and only then
      // is it ready for its owner, who may write to its open inputs at once.
      List<Future<?>> feeding = new ArrayList<>();
      JsonObject inputs = request.getJsonObject("inputs", new JsonObject());
      for (String port : inputs.fieldNames()) {
        JsonObject wanted = inputs.getJsonObject(port);
        String pull = wanted.getString("pull");
        boolean open = wanted.getBoolean("open", false);
        if (pull == null && !open) {
          continue;  // a channel from a node of this host, which connects itself
        }
        feeding.add(ChannelSink.connect(context.owner(), path(wanted), resumable ? Duration.ofMillis(patience) : null)
            .compose(sink -> {
              if (stopped) {
                sink.abandon();
                return Future.succeededFuture();
              }
              sinks.add(sink);
              if (pull != null) {
                ChannelPull channel = new ChannelPull(bus, context, pull, sink, patience, resumable);
                pulls.add(channel);
                channel.start();
                return Future.succeededFuture();
              }
              Port input = new Port(node.getString("id"), port);
              return bus.registerHandler(SessionPorts.inputType(session, input), new PortInput("session " + session
                  + ": input " + input, sink)::take).onSuccess(this::keep).compose(Registration::ready);
            }));
      }
      Future.all(feeding).onComplete(fed -> {
        if (fed.failed()) {
          fail(fed.cause());
        } else if (!stopped) {
          events.write(new JsonObject().put("event", "ready").put("pid", run.pid()).put("host", nodeName));
        }
      });
    }

    @Override
    public void failed(NodeRun run, NodeFailure failure) {
      events.write(failure.toEvent());
    }

    @Override
    public void finished(NodeRun run) {
      run.stop().onComplete(v -> {
        teardown();
        events.end();
      });
    }

    @Override
    public void resumed(NodeRun run, String port, long lost) {
      events.write(new JsonObject().put("event", "resumed").put("port", port).put("lost", lost));
    }

    private void fail(Throwable cause) {
      events.fail(CommBusException.wrap(cause, ErrorCode.INTERNAL));
      stop();
    }

    /** The owner let go, or the node could not be set up: the node and everything of it here go. */
    Future<Void> stop() {
      if (!stopping) {
        stopping = true;
        (process == null ? Future.<Void>succeededFuture() : process.stop()).transform(v -> teardown());
      }
      return gone.future();
    }

    private Future<Void> teardown() {
      if (stopped) {
        return gone.future();
      }
      stopped = true;
      runs.remove(this);
      current.remove(session + "/" + node.getString("id"), this);
      if (heartbeat >= 0) {
        context.owner().cancelTimer(heartbeat);
      }
      pulls.forEach(ChannelPull::stop);
      List<Future<?>> closing = new ArrayList<>();
      // Its inputs' writing ends go with it: left resuming, one would take the next run's place.
      sinks.forEach(sink -> closing.add(sink.abandon()));
      registrations.forEach(r -> closing.add(r.unregister()));
      // Whoever reads an output of this run hears that it ended: a resumable reader reads again, from the next run.
      CommBusException ended = new CommBusException(ErrorCode.UNAVAILABLE, "node " + node.getString("id")
          + "'s run on host " + nodeName + " ended");
      outputs.forEach(o -> {
        o.sessionEnded(ended);
        closing.add(o.source().close());
      });
      Future.join(closing).onComplete(v -> {
        release(session);
        gone.tryComplete();
      });
      return gone.future();
    }
  }
}
