package io.commbus.process.pipeline;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What a pipeline is made of: its nodes (one process each), the channels that join their ports,
 * and what happens when a node fails. Built with {@link #builder(String)} or read from JSON or
 * YAML ({@link #read}); either way it is checked whole, and a problem is a
 * {@link ConfigException} naming the field ({@code connections[2].to: no node "gte"}).
 * Immutable once built.
 *
 * <p>A port is {@code node.port}; {@code node} alone is the port a one-in one-out node has,
 * {@link #DEFAULT_INPUT} or {@link #DEFAULT_OUTPUT}. Each port takes one channel: an input is
 * fed by one output, an output feeds one input. The channels form no cycle.
 */
public final class PipelineSpec {

  /** The input port of a node named without a port in a connection's {@code to}. */
  public static final String DEFAULT_INPUT = "in";
  /** The output port of a node named without a port in a connection's {@code from}. */
  public static final String DEFAULT_OUTPUT = "out";
  /** Items a channel holds unless it says otherwise. */
  public static final int DEFAULT_CAPACITY = 64;
  /** The most items one channel may hold: its memory is bounded by this times the frame size. */
  public static final int MAX_CAPACITY = 65_536;
  /** The most nodes one pipeline has. */
  public static final int MAX_NODES = 256;
  /** How long every node has to report ready unless the spec says otherwise. */
  public static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(30);
  /** How often one node may be restarted under the restart policy unless the spec says otherwise. */
  public static final int DEFAULT_MAX_RESTARTS = 3;
  public static final int MAX_MAX_RESTARTS = 1000;

  private final String name;
  private final List<PipelineNode> nodes;
  private final List<Channel> channels;
  private final FailurePolicy failurePolicy;
  private final Duration initTimeout;
  private final int maxRestarts;

  private PipelineSpec(String name, List<PipelineNode> nodes, List<Channel> channels, FailurePolicy failurePolicy,
                       Duration initTimeout, int maxRestarts) {
    this.name = name;
    this.nodes = List.copyOf(nodes);
    this.channels = List.copyOf(channels);
    this.failurePolicy = failurePolicy;
    this.initTimeout = initTimeout;
    this.maxRestarts = maxRestarts;
  }

  public String name() {
    return name;
  }

  /** The nodes, in the order the spec gives them. */
  public List<PipelineNode> nodes() {
    return nodes;
  }

  /** The channels, in the order the spec gives them. */
  public List<Channel> channels() {
    return channels;
  }

  public FailurePolicy failurePolicy() {
    return failurePolicy;
  }

  public Duration initTimeout() {
    return initTimeout;
  }

  /** Under the restart policy, how often one node may be restarted before its failure ends the session. */
  public int maxRestarts() {
    return maxRestarts;
  }

  /** The node called {@code id}; null when there is none. */
  public PipelineNode node(String id) {
    return nodes.stream().filter(node -> node.id().equals(id)).findFirst().orElse(null);
  }

  /** The session's inputs: the nodes' input ports no channel feeds, for whoever runs a session to write to. */
  public List<Port> inputs() {
    return open(true);
  }

  /** The session's outputs: the nodes' output ports no channel takes from. */
  public List<Port> outputs() {
    return open(false);
  }

  private List<Port> open(boolean inputs) {
    Set<Port> joined = new HashSet<>();
    channels.forEach(channel -> joined.add(inputs ? channel.to() : channel.from()));
    List<Port> open = new ArrayList<>();
    for (PipelineNode node : nodes) {
      for (String port : inputs ? node.inputs() : node.outputs()) {
        Port candidate = new Port(node.id(), port);
        if (!joined.contains(candidate)) {
          open.add(candidate);
        }
      }
    }
    return open;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Reads {@code {"name", "nodes": [...], "connections": [{"from", "to", "capacity"}],
   * "failurePolicy": "terminate" | "restart", "maxRestarts": 3, "initTimeout": "30s"}} ({@code docs/pipelines.md}).
   */
  public static PipelineSpec read(JsonObject json) {
    return read(ConfigSection.of(json));
  }

  /** The same, from a section of a larger configuration, whose fields the errors then name. */
  public static PipelineSpec read(ConfigSection section) {
    Builder builder = new Builder(section.string("name", null));
    section.require("name", builder.name, "the pipeline's name");
    List<ConfigSection> nodes = section.sections("nodes");
    for (ConfigSection node : nodes) {
      builder.node(PipelineNode.read(node));
    }
    for (ConfigSection connection : section.sections("connections")) {
      String from = connection.string("from", null);
      connection.require("from", from, "the output port the channel takes from: node.port, or node for its \""
          + DEFAULT_OUTPUT + "\"");
      String to = connection.string("to", null);
      connection.require("to", to, "the input port the channel feeds: node.port, or node for its \""
          + DEFAULT_INPUT + "\"");
      builder.connect(from, to, connection.integer("capacity", DEFAULT_CAPACITY, 1, MAX_CAPACITY));
      connection.rejectUnknown();
    }
    String policy = section.string("failurePolicy", null);
    if (policy != null) {
      FailurePolicy read = FailurePolicy.fromWireName(policy);
      if (read == null) {
        throw new ConfigException(section.field("failurePolicy"), "must be terminate or restart, was \"" + policy
            + "\"");
      }
      builder.failurePolicy(read);
    }
    builder.initTimeout(section.duration("initTimeout", DEFAULT_INIT_TIMEOUT));
    builder.maxRestarts(section.integer("maxRestarts", DEFAULT_MAX_RESTARTS, 0, MAX_MAX_RESTARTS));
    section.rejectUnknown();
    builder.fields = section::field;
    return builder.build();
  }

  /** Builds a spec; {@link #build()} checks it whole. */
  public static final class Builder {
    private final String name;
    private final List<PipelineNode> nodes = new ArrayList<>();
    private final List<String[]> connections = new ArrayList<>();
    private final List<Integer> capacities = new ArrayList<>();
    private FailurePolicy failurePolicy = FailurePolicy.TERMINATE;
    private Duration initTimeout = DEFAULT_INIT_TIMEOUT;
    private int maxRestarts = DEFAULT_MAX_RESTARTS;
    /** How a field is named in errors: plainly for a builder, with its section's path when read. */
    private UnaryOperator<String> fields = field -> field;

    private Builder(String name) {
      this.name = name;
    }

    public Builder node(PipelineNode node) {
      nodes.add(Objects.requireNonNull(node, "node"));
      return this;
    }

    /** A channel of {@link #DEFAULT_CAPACITY} items from output {@code from} to input {@code to}. */
    public Builder connect(String from, String to) {
      return connect(from, to, DEFAULT_CAPACITY);
    }

    public Builder connect(String from, String to, int capacity) {
      connections.add(new String[] {from, to});
      capacities.add(capacity);
      return this;
    }

    public Builder failurePolicy(FailurePolicy failurePolicy) {
      this.failurePolicy = Objects.requireNonNull(failurePolicy, "failurePolicy");
      return this;
    }

    public Builder initTimeout(Duration initTimeout) {
      this.initTimeout = Objects.requireNonNull(initTimeout, "initTimeout");
      return this;
    }

    public Builder maxRestarts(int maxRestarts) {
      this.maxRestarts = maxRestarts;
      return this;
    }

    /** The spec, checked whole; a {@link ConfigException} naming the first field that is wrong. */
    public PipelineSpec build() {
      if (name == null || !PipelineNode.ID.matcher(name).matches()) {
        throw new ConfigException(fields.apply("name"), "must be letters, digits, '_', '.' and '-', was "
            + (name == null ? "missing" : "\"" + name + "\""));
      }
      if (nodes.isEmpty()) {
        throw new ConfigException(fields.apply("nodes"), "a pipeline has at least one node");
      }
      if (nodes.size() > MAX_NODES) {
        throw new ConfigException(fields.apply("nodes"), "a pipeline has at most " + MAX_NODES + " nodes, this one "
            + nodes.size());
      }
      if (maxRestarts < 0 || maxRestarts > MAX_MAX_RESTARTS) {
        throw new ConfigException(fields.apply("maxRestarts"), "must be 0 to " + MAX_MAX_RESTARTS + ", was "
            + maxRestarts);
      }
      if (initTimeout.isNegative() || initTimeout.isZero()) {
        throw new ConfigException(fields.apply("initTimeout"), "must be longer than zero");
      }
      Map<String, PipelineNode> byId = new LinkedHashMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        PipelineNode node = nodes.get(i);
        if (byId.putIfAbsent(node.id(), node) != null) {
          throw new ConfigException(fields.apply("nodes[" + i + "].id"), "\"" + node.id() + "\" names two nodes");
        }
      }
      List<Channel> channels = new ArrayList<>();
      // By direction: a node's input and output may share a name, and each takes its own channel.
      Map<String, String> taken = new HashMap<>();
      for (int i = 0; i < connections.size(); i++) {
        String field = "connections[" + i + "]";
        int capacity = capacities.get(i);
        if (capacity < 1 || capacity > MAX_CAPACITY) {
          throw new ConfigException(fields.apply(field + ".capacity"), "must be 1 to " + MAX_CAPACITY + ", was "
              + capacity);
        }
        Port from = port(byId, field + ".from", connections.get(i)[0], false);
        Port to = port(byId, field + ".to", connections.get(i)[1], true);
        for (Port port : List.of(from, to)) {
          String use = (port == from ? "out " : "in ") + port;
          String earlier = taken.putIfAbsent(use, field);
          if (earlier != null) {
            throw new ConfigException(fields.apply(field + (port == from ? ".from" : ".to")), "port " + port
                + " is used by " + earlier + " already: a port takes one channel");
          }
        }
        channels.add(new Channel(from, to, capacity));
      }
      new Cycles(byId.keySet(), channels).first().ifPresent(cycle -> {
        throw new ConfigException(fields.apply("connections"), "the channels form a cycle: "
            + String.join(" -> ", cycle));
      });
      return new PipelineSpec(name, nodes, channels, failurePolicy, initTimeout, maxRestarts);
    }

    private Port port(Map<String, PipelineNode> nodes, String field, String written, boolean input) {
      if (written == null || written.isBlank()) {
        throw new ConfigException(fields.apply(field), "must name a port: node.port, or node");
      }
      int dot = written.indexOf('.');
      String nodeId = dot < 0 ? written : written.substring(0, dot);
      String port = dot < 0 ? (input ? DEFAULT_INPUT : DEFAULT_OUTPUT) : written.substring(dot + 1);
      PipelineNode node = nodes.get(nodeId);
      if (node == null) {
        throw new ConfigException(fields.apply(field), "no node \"" + nodeId + "\" (the nodes are "
            + String.join(", ", nodes.keySet()) + ")");
      }
      List<String> ports = input ? node.inputs() : node.outputs();
      if (!ports.contains(port)) {
        throw new ConfigException(fields.apply(field), "node " + nodeId + " has no " + (input ? "input" : "output")
            + " \"" + port + "\"" + (ports.isEmpty() ? " (it has none)" : " (it has " + String.join(", ", ports) + ")"));
      }
      return new Port(nodeId, port);
    }
  }
}
