package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.process.child.ChildSpec;
import io.commbus.process.pool.RuntimeDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One running instance of a pipeline spec: a process per Python node, the channels between
 * them in the session's private directory, and the session's open ports. Made by
 * {@link Sessions#create}, which completes once every node is ready; ends when every node has
 * finished, when a node fails (the spec's failure policy), or when it is terminated. Its
 * methods and streams are used on the context of the {@link Sessions} that made it, as any
 * Vert.x stream is.
 *
 * <p>Past the usual size on purpose: it is one session's state machine (starting, running,
 * ending, ended), and every transition reads the same nodes, channels and failures.
 */
public final class Session {

  /**
   * How long a session whose node failed through a neighbour (an input's error, an output's
   * reader gone) waits for the neighbour's own failure before it ends naming the first it has.
   */
  private static final long BLAME_GRACE_MILLIS = 1000;

  /** Where a session is. */
  public enum State { STARTING, RUNNING, ENDING, ENDED }

  /** How a session ended. */
  public enum Outcome { COMPLETED, FAILED, TERMINATED }

  /** What a session tells whoever keeps it, once it has ended and nothing of it is left. */
  interface Listener {
    void ended(Session session);
  }

  private final Context context;
  private final CommBus bus;
  private final ChildSpec childSpec;
  /** Where Java nodes' classes come from. */
  private final ClassLoader classes;
  private final String id;
  private final PipelineSpec spec;
  private final RuntimeDirectory directory;
  private final SessionEvents events;
  private final Listener listener;
  private final Map<String, NodeSlot> nodes = new LinkedHashMap<>();
  private final Map<Port, SessionOutput> outputs = new LinkedHashMap<>();
  private final Map<Port, ChannelSink> inputs = new LinkedHashMap<>();
  private final List<SessionOutput> exported = new ArrayList<>();
  /** The open ports of nodes on other hosts, as the session's user reaches them here. */
  private final Map<Port, RemoteInput> remoteInputs = new LinkedHashMap<>();
  private final Set<Port> remoteOutputs = new HashSet<>();
  private final List<ChannelPull> pulls = new ArrayList<>();
  /** The writing ends of the channels pulled from other hosts into nodes here. */
  private final List<ChannelSink> importing = new ArrayList<>();
  private final SessionWiring wiring;
  /** The name placements give this host; null when it has none. */
  private final String localHost;
  private final List<NodeFailure> failures = new ArrayList<>();
  private final SessionPorts ports;
  private final Promise<Session> created = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private final Promise<Void> gone = Promise.promise();
  private final long createdAt = System.currentTimeMillis();
  private State state = State.STARTING;
  private Outcome outcome;
  private CommBusException startFailure;
  private CommBusException cause;
  private long readyMillis = -1;
  private long initTimer = -1;
  private long blameTimer = -1;

  /** A node of the session: its wiring, its current run, and what its runs have cost. */
  private static final class NodeSlot {
    final int index;
    final PipelineNode node;
    /** The host it runs on; null: this one. */
    final String host;
    NodeRun run;
    long generation;
    int restarts;
    /** Items its inputs' writers sent to its runs that died before confirming they took them. */
    long lostItems;

    NodeSlot(int index, PipelineNode node, String host) {
      this.index = index;
      this.node = node;
      this.host = host;
    }
  }

  /** {@code localHost}: the name placements give this host; null when it has none. */
  Session(Context context, CommBus bus, ChildSpec childSpec, ClassLoader classes, String id, PipelineSpec spec,
          RuntimeDirectory directory, String localHost, SessionEvents events, Listener listener) {
    this.classes = classes;
    this.context = context;
    this.bus = bus;
    this.childSpec = childSpec;
    this.id = id;
    this.spec = spec;
    this.directory = directory;
    this.events = events;
    this.listener = listener;
    this.ports = new SessionPorts(bus, context.owner(), this);
    this.localHost = localHost;
    this.wiring = new SessionWiring(id, spec, localHost, directory);
  }

  public String id() {
    return id;
  }

  public PipelineSpec spec() {
    return spec;
  }

  public State state() {
    return state;
  }

  /** How it ended; null until it has. */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * Completes when the session has ended and nothing of it is left: every node finished, or it
   * was terminated. Fails with {@code PIPELINE_TERMINATED} naming the node when a node's
   * failure ended it.
   */
  public Future<Void> ended() {
    return ended.future();
  }

  /**
   * An open input, {@code node.port} or {@code node} for its {@code in}: the items written to
   * it go to that node, at the pace its channel's credit allows ({@code pipeTo} waits on it).
   * {@code end()} ends the node's input; {@code fail(error)} makes its iteration raise.
   */
  public WriteStream<ChannelItem> input(String port) {
    Port named = port(port, PipelineSpec.DEFAULT_INPUT);
    if (wiring.host(named.node()) != null && spec.inputs().contains(named)) {
      // A node on another host: written on the bus, as that host serves it.
      return remoteInputs.computeIfAbsent(named, p -> new RemoteInput(bus, SessionPorts.inputType(id, p)));
    }
    return lookUp(inputs, port, PipelineSpec.DEFAULT_INPUT, "input");
  }

  /**
   * An open output, {@code node.port} or {@code node} for its {@code out}: the items that node
   * writes to it, then its end, or a failure with the session's cause once it has ended without
   * the output ending. Pausing it holds the node back once its channel is full.
   */
  public ReadStream<ChannelItem> output(String port) {
    Port named = port(port, PipelineSpec.DEFAULT_OUTPUT);
    if (wiring.host(named.node()) != null && spec.outputs().contains(named)) {
      // A node on another host: read on the bus, as that host serves it; one reader, as everywhere.
      if (remoteOutputs.contains(named)) {
        throw new IllegalStateException("output " + named + " is read already; an output has one reader at a time");
      }
      remoteOutputs.add(named);
      return new RemoteOutput(bus, SessionPorts.outputType(id, named));
    }
    return lookUp(outputs, port, PipelineSpec.DEFAULT_OUTPUT, "output").claimInProcess();
  }

  private static Port port(String name, String defaultPort) {
    int dot = name.indexOf('.');
    return dot < 0 ? new Port(name, defaultPort) : new Port(name.substring(0, dot), name.substring(dot + 1));
  }

  /** Ends the session: every node's function is cancelled and its process stopped; completes once nothing of it is left. */
  public Future<Void> terminate() {
    VertxInternals.runOn(context, () -> end(Outcome.TERMINATED));
    return gone.future();
  }

  /** What the session is doing, for the admin API and the CLI. */
  public JsonObject status() {
    JsonArray nodeStatus = new JsonArray();
    for (NodeSlot slot : nodes.values()) {
      if (slot.run == null) {
        nodeStatus.add(new JsonObject().put("id", slot.node.id()).put("state", "starting").put("run", 0));
        continue;
      }
      nodeStatus.add(new JsonObject().put("id", slot.node.id()).put("state", slot.run.state().name().toLowerCase(Locale.ROOT))
          .put("host", slot.host != null ? slot.host : localHost).put("pid", slot.run.pid()).put("run", slot.generation).put("readyMillis", slot.run.readyMillis())
          .put("restarts", slot.restarts).put("lostItems", slot.lostItems));
    }
    JsonObject status = new JsonObject().put("id", id).put("pipeline", spec.name())
        .put("state", state.name().toLowerCase(Locale.ROOT)).put("failurePolicy", spec.failurePolicy().wireName())
        .put("createdAt", createdAt).put("readyMillis", readyMillis).put("nodes", nodeStatus)
        .put("inputs", ports(spec.inputs())).put("outputs", ports(spec.outputs()));
    if (outcome != null) {
      status.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
    }
    if (cause != null) {
      status.put("cause", cause.getMessage());
    }
    return status;
  }

  private static JsonArray ports(List<Port> ports) {
    return new JsonArray(ports.stream().map(Port::toString).collect(Collectors.toList()));
  }

  private <T> T lookUp(Map<Port, T> ports, String name, String defaultPort, String what) {
    Port port = port(name, defaultPort);
    T found = ports.get(port);
    if (found == null) {
      throw new IllegalArgumentException("session " + id + " has no open " + what + " " + port + " (it has "
          + (ports.isEmpty() ? "none" : ports.keySet().stream().map(Port::toString).collect(Collectors.joining(", ")))
          + ")");
    }
    return found;
  }

  // ---- starting

  /**
   * Listens on the open outputs and on the channels other hosts read, starts every node, and
   * completes once all of them are ready.
   */
  Future<Session> start() {
    List<Future<SessionOutput>> listening = new ArrayList<>();
    wiring.openOutputs().forEach((output, path) -> listening.add(
        ChannelSource.listen(context.owner(), path, PipelineSpec.DEFAULT_CAPACITY, wiring.resumable())
            .map(source -> new SessionOutput(output, source))));
    List<Future<SessionOutput>> exporting = new ArrayList<>();
    wiring.exports().forEach((output, end) -> exporting.add(
        ChannelSource.listen(context.owner(), end.path(), end.capacity(), wiring.resumable())
            .map(source -> new SessionOutput(output, source))
            .compose(exported -> ports.export(end.type(), exported).map(exported))));
    int slot = 0;
    for (PipelineNode node : spec.nodes()) {
      nodes.put(node.id(), new NodeSlot(slot++, node, wiring.host(node.id())));
    }
    // Its status and terminate first: from now on, another node's create of the same id sees it.
    Future<Void> control = ports.control();
    // Joined, not all: every part settles before this goes on, so none is made after a teardown.
    Future.join(List.of(Future.join(listening), Future.join(exporting), control)).onComplete(all -> {
      for (Future<SessionOutput> output : listening) {
        if (output.succeeded()) {
          outputs.put(output.result().port(), output.result());
        }
      }
      exporting.stream().filter(Future::succeeded).forEach(e -> exported.add(e.result()));
      if (state != State.STARTING) {
        // It ended while its outputs were being made: what was made goes with it.
        outputs.values().forEach(o -> o.source().close());
        exported.forEach(o -> o.source().close());
        ports.close();
        return;
      }
      if (all.failed()) {
        startFailure = new CommBusException(ErrorCode.INTERNAL, "session " + id + ": cannot listen for its outputs: "
            + all.cause().getMessage(), all.cause());
        end(Outcome.FAILED);
        return;
      }
      long timeout = spec.initTimeout().toMillis();
      initTimer = context.owner().setTimer(timeout, t -> initTimedOut(timeout));
      for (NodeSlot node : nodes.values()) {
        launch(node);
      }
    });
    return created.future();
  }

  private void launch(NodeSlot slot) {
    slot.generation++;
    NodeRun.Listener listener = new NodeRun.Listener() {
      @Override
      public void ready(NodeRun run) {
        nodeReady(slot, run);
      }

      @Override
      public void failed(NodeRun run, NodeFailure failure) {
        nodeFailed(slot, run, failure);
      }

      @Override
      public void finished(NodeRun run) {
        nodeFinished(slot, run);
      }

      @Override
      public void resumed(NodeRun run, String port, long lost) {
        Port from = new Port(slot.node.id(), port);
        spec.channels().stream().filter(c -> c.from().equals(from)).findFirst()
            .ifPresent(channel -> itemsLost(channel.from().toString(), channel.to(), lost));
      }
    };
    if (slot.host != null) {
      slot.run = new RemoteNodeRun(bus, slot.host, slot.node, wiring.remoteRequest(slot.node, slot.index,
          slot.generation), listener);
    } else if (slot.node.kind().language() == PipelineNode.Language.JAVA) {
      slot.run = new JavaNodeRun(context, bus, classes, id, slot.node, wiring.localRequest(slot.node), listener);
    } else {
      slot.run = new LocalNodeRun(context, bus, childSpec, id + "/" + slot.node.id(), slot.node,
          wiring.localRequest(slot.node), directory.socket(slot.index, slot.generation), listener);
    }
    slot.run.start();
  }

  private void nodeReady(NodeSlot slot, NodeRun run) {
    events.publish(SessionEvents.NODE_READY, id, new JsonObject().put("node", slot.node.id()).put("pid", run.pid())
        .put("readyMillis", run.readyMillis()).put("run", slot.generation));
    if (state != State.STARTING || nodes.values().stream().anyMatch(n -> n.run.state() == NodeRun.State.STARTING)) {
      return;
    }
    // Every node listens on its inputs now: the session's own inputs can connect.
    List<Future<ChannelSink>> connecting = new ArrayList<>();
    Duration resumeFor = wiring.resumable() ? spec.initTimeout() : null;
    wiring.openInputs().forEach((port, path) -> connecting.add(
        ChannelSink.connect(context.owner(), path, resumeFor).onSuccess(sink -> {
          if (state != State.STARTING) {
            sink.abandon();  // it ended while this connected
            return;
          }
          inputs.put(port, sink);
          sink.resumedHandler(lost -> itemsLost("session", port, lost));
        })));
    // And the channels from other hosts, pulled from the bus into the nodes here.
    wiring.imports().forEach((port, end) -> connecting.add(
        ChannelSink.connect(context.owner(), end.path(), resumeFor).onSuccess(sink -> {
          if (state != State.STARTING) {
            sink.abandon();
            return;
          }
          importing.add(sink);
          ChannelPull pull = new ChannelPull(bus, context, end.type(), sink, spec.initTimeout().toMillis(),
              wiring.resumable());
          pulls.add(pull);
          pull.start();
        })));
    Future.all(connecting).compose(all -> state == State.STARTING ? ports.open(outputs, inputs)
        : Future.succeededFuture()).onComplete(all -> {
      if (state != State.STARTING) {
        ports.close();  // it ended while its ports opened: whatever was registered goes
      } else if (all.failed()) {
        startFailure = new CommBusException(ErrorCode.INTERNAL, "session " + id + ": cannot open its ports: "
            + all.cause().getMessage(), all.cause());
        end(Outcome.FAILED);
      } else if (state == State.STARTING) {
        cancelInitTimer();
        state = State.RUNNING;
        readyMillis = System.currentTimeMillis() - createdAt;
        events.publish(SessionEvents.SESSION_CREATED, id, new JsonObject().put("pipeline", spec.name())
            .put("nodes", new JsonArray(new ArrayList<>(nodes.keySet()))).put("readyMillis", readyMillis));
        created.complete(this);
      }
    });
  }

  private void initTimedOut(long timeout) {
    initTimer = -1;
    if (state != State.STARTING) {
      return;
    }
    List<String> waiting = nodes.values().stream().filter(n -> n.run == null || n.run.state() == NodeRun.State.STARTING)
        .map(n -> n.node.id()).collect(Collectors.toList());
    String late = waiting.isEmpty() ? "its nodes were ready, but its ports were not open"
        : waiting.size() == 1 ? "node " + waiting.get(0) + " was not ready" : "nodes " + String.join(", ", waiting)
        + " were not ready";
    startFailure = new CommBusException(ErrorCode.INIT_TIMEOUT, "session " + id + ": " + late + " within " + timeout
        + " ms (initTimeout)");
    end(Outcome.FAILED);
  }

  private void cancelInitTimer() {
    if (initTimer >= 0) {
      context.owner().cancelTimer(initTimer);
      initTimer = -1;
    }
  }

  // ---- running

  private void nodeFailed(NodeSlot slot, NodeRun run, NodeFailure reported) {
    events.publish(SessionEvents.NODE_EXITED, id, new JsonObject().put("node", slot.node.id()).put("pid", run.pid())
        .put("outcome", "failed").put("origin", reported.origin().name().toLowerCase(Locale.ROOT))
        .put("cause", reported.describe()).put("run", slot.generation));
    NodeFailure failure = reported;
    if (state == State.RUNNING && spec.failurePolicy() == FailurePolicy.RESTART) {
      if (slot.restarts < spec.maxRestarts()) {
        restart(slot, run);
        return;
      }
      failure = reported.after(slot.restarts + " restarts, its most (maxRestarts)");
    }
    failures.add(failure);
    if (failure.origin().own() || state == State.STARTING) {
      end(Outcome.FAILED);
    } else if (blameTimer < 0 && state == State.RUNNING) {
      // A neighbour's failure reached this node first; that neighbour's own report, or its
      // exit, is on its way, and it is the one to name. Ending now would stop it unheard.
      blameTimer = context.owner().setTimer(BLAME_GRACE_MILLIS, t -> {
        blameTimer = -1;
        end(Outcome.FAILED);
      });
    }
  }

  /** Starts the node again once what is left of its failed run is gone; its channels wait for it. */
  private void restart(NodeSlot slot, NodeRun failed) {
    Optional<String> ended = endedInput(slot);
    if (ended.isPresent()) {
      // Its successor would wait for ever for an input whose end went to the run that died.
      failures.add(new NodeFailure(slot.node.id(), NodeFailure.Origin.PROCESS, ErrorCode.PIPELINE_TERMINATED,
          "it failed and cannot be started again: its input " + ended.get() + " had ended", null, null));
      end(Outcome.FAILED);
      return;
    }
    slot.restarts++;
    failed.stop().onComplete(stopped -> {
      if (state != State.RUNNING) {
        return;
      }
      events.publish(SessionEvents.NODE_RESTARTED, id, new JsonObject().put("node", slot.node.id())
          .put("run", slot.generation + 1).put("restarts", slot.restarts));
      launch(slot);
    });
  }

  /** An input of the node whose writer has ended (a node that finished, or the session's own input), as {@code from -> to}. */
  private Optional<String> endedInput(NodeSlot slot) {
    for (Channel channel : spec.channels()) {
      NodeSlot from = nodes.get(channel.from().node());
      if (channel.to().node().equals(slot.node.id()) && from.run != null
          && from.run.state() == NodeRun.State.FINISHED) {
        return Optional.of(channel.from() + " -> " + channel.to());
      }
    }
    return inputs.entrySet().stream().filter(e -> e.getKey().node().equals(slot.node.id()) && e.getValue().ended())
        .map(e -> "session -> " + e.getKey()).findFirst();
  }

  /** The writer of a channel into {@code to} resumed with its restarted reader; {@code lost} items were in flight. */
  private void itemsLost(String from, Port to, long lost) {
    NodeSlot slot = nodes.get(to.node());
    if (slot != null) {
      slot.lostItems += lost;
    }
    events.publish(SessionEvents.ITEMS_LOST, id, new JsonObject().put("node", to.node())
        .put("channel", from + " -> " + to).put("lost", lost));
  }

  private void nodeFinished(NodeSlot slot, NodeRun run) {
    run.stop().onComplete(stopped -> {
      events.publish(SessionEvents.NODE_EXITED, id, new JsonObject().put("node", slot.node.id()).put("pid", run.pid())
          .put("outcome", "finished"));
      if (nodes.values().stream().allMatch(n -> n.run.state() == NodeRun.State.FINISHED)) {
        end(Outcome.COMPLETED);
      }
    });
  }

  // ---- ending

  /** Stops every node and closes every channel, then says how the session ended; once. */
  private void end(Outcome how) {
    if (state == State.ENDING || state == State.ENDED) {
      return;
    }
    boolean wasStarting = state == State.STARTING;
    state = State.ENDING;
    outcome = how;
    cancelInitTimer();
    if (blameTimer >= 0) {
      context.owner().cancelTimer(blameTimer);
      blameTimer = -1;
    }
    List<Future<Void>> stops = new ArrayList<>();
    for (NodeSlot slot : nodes.values()) {
      if (slot.run != null) {
        stops.add(slot.run.stop());
      }
    }
    pulls.forEach(ChannelPull::stop);
    Future.join(stops)
        // A resumable writing end would otherwise wait for a successor of a node that was stopped.
        .transform(v -> Future.join(Stream.concat(inputs.values().stream(), importing.stream())
            .map(ChannelSink::abandon).collect(Collectors.toList())))
        .transform(v -> ports.close())
        .transform(v -> Future.join(exported.stream().map(o -> o.source().close()).collect(Collectors.toList())))
        .transform(v -> Future.join(outputs.values().stream().map(o -> o.source().close()).collect(Collectors.toList())))
        .transform(v -> context.owner().executeBlocking(() -> {
          directory.delete();
          return null;
        }, false))
        .onComplete(v -> finish(wasStarting));
  }

  private void finish(boolean wasStarting) {
    state = State.ENDED;
    cause = causeOfEnd(wasStarting);
    for (SessionOutput output : outputs.values()) {
      output.sessionEnded(cause);
    }
    // A channel another host read and that did not end: its reader hears why.
    CommBusException why = cause != null ? cause : new CommBusException(ErrorCode.UNAVAILABLE, "session " + id
        + " ended");
    exported.forEach(output -> output.sessionEnded(why));
    JsonObject event = new JsonObject().put("pipeline", spec.name()).put("outcome", outcome.name().toLowerCase(Locale.ROOT));
    if (cause != null) {
      event.put("code", cause.code().name()).put("cause", cause.getMessage());
    }
    blamed().ifPresent(failure -> event.put("node", failure.node()));
    events.publish(SessionEvents.SESSION_ENDED, id, event);
    if (wasStarting && cause == null) {
      created.complete(this);  // it ran to its end before every port was open: done, and so created
    } else if (wasStarting) {
      created.fail(cause);
    }
    if (outcome == Outcome.FAILED) {
      ended.fail(cause);
    } else {
      ended.complete();
    }
    listener.ended(this);
    gone.complete();
  }

  /** The failure to name: the first a node had by itself, else the first there was. */
  private Optional<NodeFailure> blamed() {
    return failures.stream().filter(f -> f.origin().own()).findFirst().or(() -> failures.stream().findFirst());
  }

  private CommBusException causeOfEnd(boolean wasStarting) {
    if (startFailure != null) {
      return startFailure;
    }
    Optional<NodeFailure> blamed = blamed();
    if (outcome == Outcome.FAILED && blamed.isPresent()) {
      NodeFailure failure = blamed.get();
      return wasStarting ? failure.toException(ErrorCode.NODE_CRASHED, "session " + id + ": could not start: ")
          : failure.toException(ErrorCode.PIPELINE_TERMINATED, "session " + id + " ended: ");
    }
    if (outcome == Outcome.TERMINATED) {
      return new CommBusException(ErrorCode.PIPELINE_TERMINATED, "session " + id + " was terminated"
          + (wasStarting ? " before it was ready" : ""));
    }
    return null;
  }
}
