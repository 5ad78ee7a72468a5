package io.commbus.process.pipeline;

import io.commbus.process.pool.RuntimeDirectory;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Where each of a session's channels runs, decided once from the spec and the nodes'
 * placements (docs/pipelines.md, "Where data flows"):
 *
 * <ul>
 *   <li>between two nodes of one host, a Unix socket in the session's directory on that host,
 *   child to child;</li>
 *   <li>between two hosts, the writer's host serves the channel on the bus
 *   ({@code commbus.session.<id>.out.<node>.<port>}) and the reader's host pulls it;</li>
 *   <li>a session's open input or output on this host, a socket the JVM's end joins; on another
 *   host, served on the bus there.</li>
 * </ul>
 *
 * Channel {@code i} of the spec is socket {@code i} of the directory wherever it is; the open
 * inputs, then the open outputs, come after the channels.
 */
final class SessionWiring {

  /** A channel end on this host that the JVM joins to the bus: its socket and the bus type. */
  record BusEnd(Path path, String type, int capacity) {
  }

  private final String session;
  private final PipelineSpec spec;
  private final String localHost;
  private final RuntimeDirectory directory;
  private final Map<Port, Path> toPaths = new LinkedHashMap<>();
  private final Map<Port, Integer> capacities = new LinkedHashMap<>();
  private final Map<Port, Path> fromPaths = new LinkedHashMap<>();
  private final Map<Port, JsonObject> remoteInputs = new LinkedHashMap<>();
  private final Map<Port, JsonObject> remoteOutputs = new LinkedHashMap<>();
  /** Outputs of nodes here read on another host: served on the bus from here. */
  private final Map<Port, BusEnd> exports = new LinkedHashMap<>();
  /** Inputs of nodes here fed from another host: pulled from the bus into here. */
  private final Map<Port, BusEnd> imports = new LinkedHashMap<>();
  private final Map<Port, Path> openInputs = new LinkedHashMap<>();
  private final Map<Port, Path> openOutputs = new LinkedHashMap<>();

  SessionWiring(String session, PipelineSpec spec, String localHost, RuntimeDirectory directory) {
    this.session = session;
    this.spec = spec;
    this.localHost = localHost;
    this.directory = directory;
    int index = 0;
    for (Channel channel : spec.channels()) {
      wire(channel, index++);
    }
    for (Port input : spec.inputs()) {
      int channel = index++;
      if (host(input.node()) == null) {
        Path path = directory.channel(channel);
        toPaths.put(input, path);
        capacities.put(input, PipelineSpec.DEFAULT_CAPACITY);
        openInputs.put(input, path);
      } else {
        remoteInputs.put(input, new JsonObject().put("channel", channel).put("capacity", PipelineSpec.DEFAULT_CAPACITY)
            .put("open", true));
      }
    }
    for (Port output : spec.outputs()) {
      int channel = index++;
      if (host(output.node()) == null) {
        Path path = directory.channel(channel);
        fromPaths.put(output, path);
        openOutputs.put(output, path);
      } else {
        remoteOutputs.put(output, new JsonObject().put("channel", channel)
            .put("export", SessionPorts.outputType(session, output)));
      }
    }
  }

  private void wire(Channel channel, int index) {
    String from = host(channel.from().node());
    String to = host(channel.to().node());
    if (Objects.equals(from, to)) {
      if (from == null) {
        Path path = directory.channel(index);
        toPaths.put(channel.to(), path);
        capacities.put(channel.to(), channel.capacity());
        fromPaths.put(channel.from(), path);
      } else {
        remoteInputs.put(channel.to(), new JsonObject().put("channel", index).put("capacity", channel.capacity()));
        remoteOutputs.put(channel.from(), new JsonObject().put("channel", index));
      }
      return;
    }
    String type = SessionPorts.outputType(session, channel.from());
    if (from == null) {
      Path path = directory.channel(index);
      fromPaths.put(channel.from(), path);
      exports.put(channel.from(), new BusEnd(path, type, channel.capacity()));
    } else {
      remoteOutputs.put(channel.from(), new JsonObject().put("channel", index).put("export", type));
    }
    if (to == null) {
      Path path = directory.channel(index);
      toPaths.put(channel.to(), path);
      capacities.put(channel.to(), channel.capacity());
      imports.put(channel.to(), new BusEnd(path, type, channel.capacity()));
    } else {
      remoteInputs.put(channel.to(), new JsonObject().put("channel", index).put("capacity", channel.capacity())
          .put("pull", type));
    }
  }

  /** The host node {@code id} runs on, as placements name it; null: this one. */
  String host(String id) {
    return spec.node(id).placement().filter(placed -> !placed.equals(localHost)).orElse(null);
  }

  boolean resumable() {
    return spec.failurePolicy() == FailurePolicy.RESTART;
  }

  /** What {@code serve_node} is sent for a node of this host: the function, its config, and its channels. */
  JsonObject localRequest(PipelineNode node) {
    JsonObject in = new JsonObject();
    for (String port : node.inputs()) {
      Port key = new Port(node.id(), port);
      in.put(port, new JsonObject().put("path", toPaths.get(key).toString()).put("capacity", capacities.get(key)));
    }
    JsonObject out = new JsonObject();
    for (String port : node.outputs()) {
      out.put(port, fromPaths.get(new Port(node.id(), port)).toString());
    }
    return function(node).put("config", node.config()).put("inputs", in).put("outputs", out)
        .put("connectTimeout", spec.initTimeout().toMillis()).put("resumable", resumable());
  }

  /** What the {@link SessionHost} of a node's host is sent for run {@code run}: the node and how each port is joined. */
  JsonObject remoteRequest(PipelineNode node, int slot, long run) {
    JsonObject in = new JsonObject();
    for (String port : node.inputs()) {
      in.put(port, remoteInputs.get(new Port(node.id(), port)));
    }
    JsonObject out = new JsonObject();
    for (String port : node.outputs()) {
      out.put(port, remoteOutputs.get(new Port(node.id(), port)));
    }
    return new JsonObject().put("session", session).put("run", run).put("slot", slot)
        .put("node", function(node).put("id", node.id()).put("config", node.config()))
        .put("inputs", in).put("outputs", out).put("initTimeout", spec.initTimeout().toMillis())
        .put("resumable", resumable());
  }

  /** What the node runs: a Python module and function, or a Java class. */
  private static JsonObject function(PipelineNode node) {
    String target = node.kind().target();
    if (node.kind().language() == PipelineNode.Language.JAVA) {
      return new JsonObject().put("java", target);
    }
    int colon = target.indexOf(':');
    return new JsonObject().put("module", target.substring(0, colon)).put("function", target.substring(colon + 1));
  }

  Map<Port, BusEnd> exports() {
    return exports;
  }

  Map<Port, BusEnd> imports() {
    return imports;
  }

  Map<Port, Path> openInputs() {
    return openInputs;
  }

  Map<Port, Path> openOutputs() {
    return openOutputs;
  }
}
