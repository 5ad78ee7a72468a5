package io.commbus.process.pipeline;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * One node of a pipeline, one process in each session: what it runs ({@link Kind}), the JSON
 * config handed to it, its input and output ports, and optionally the cluster node that must
 * run it. By default a node is a transform with one input {@code in} and one output
 * {@code out}; a source has no input, a sink no output.
 */
public final class PipelineNode {

  /** What pipeline names are made of. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** What node ids are made of: no dot, since a connection writes {@code node.port}. */
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern PORT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern PYTHON = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.]*");
  private static final Pattern JAVA = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]*");

  /** What a node runs. */
  public enum Language {
    /** {@code module:function}, run by the Python SDK in a child process. */
    PYTHON,
    /** A Java class, run in the JVM of the node that hosts it. */
    JAVA
  }

  /** A node's program: a language and what to run in it ({@code pipeline_nodes:gate}, {@code com.example.Gate}). */
  public record Kind(Language language, String target) {
  }

  private final String id;
  private final Kind kind;
  private final JsonObject config;
  private final List<String> inputs;
  private final List<String> outputs;
  private final String placement;

  private PipelineNode(String id, Kind kind, JsonObject config, List<String> inputs, List<String> outputs,
                       String placement) {
    this.id = id;
    this.kind = kind;
    this.config = config.copy();
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    this.placement = placement;
  }

  /** A Python node running {@code module:function}, with one input and one output. */
  public static PipelineNode python(String id, String moduleFunction) {
    return make(id, new Kind(Language.PYTHON, moduleFunction), new JsonObject(), List.of(PipelineSpec.DEFAULT_INPUT),
        List.of(PipelineSpec.DEFAULT_OUTPUT), null, field -> field);
  }

  /** A Java node running {@code className}, with one input and one output. */
  public static PipelineNode java(String id, String className) {
    return make(id, new Kind(Language.JAVA, className), new JsonObject(), List.of(PipelineSpec.DEFAULT_INPUT),
        List.of(PipelineSpec.DEFAULT_OUTPUT), null, field -> field);
  }

  /** This node with its input ports named {@code inputs}; none makes it a source. */
  public PipelineNode withInputs(String... inputs) {
    return make(id, kind, config, List.of(inputs), outputs, placement, field -> field);
  }

  /** This node with its output ports named {@code outputs}; none makes it a sink. */
  public PipelineNode withOutputs(String... outputs) {
    return make(id, kind, config, inputs, List.of(outputs), placement, field -> field);
  }

  /** This node with {@code config}, the JSON handed to it when it starts. */
  public PipelineNode withConfig(JsonObject config) {
    return make(id, kind, Objects.requireNonNull(config, "config"), inputs, outputs, placement, field -> field);
  }

  /** This node run only by the cluster node called {@code placement}. */
  public PipelineNode withPlacement(String placement) {
    return make(id, kind, config, inputs, outputs, placement, field -> field);
  }

  /** Reads {@code {"id", "python": "module:function" | "java": "Class", "config", "inputs", "outputs", "placement"}}. */
  static PipelineNode read(ConfigSection section) {
    String id = section.string("id", null);
    section.require("id", id, "the node's id, which connections name");
    String python = section.string("python", null);
    String java = section.string("java", null);
    if ((python == null) == (java == null)) {
      throw new ConfigException(section.field(python == null ? "python" : "java"), "a node runs Python (\"python\": "
          + "\"module:function\") or Java (\"java\": \"ClassName\"), one of them");
    }
    Kind kind = python != null ? new Kind(Language.PYTHON, python) : new Kind(Language.JAVA, java);
    JsonObject config = section.object("config");
    List<String> inputs = section.has("inputs") ? section.strings("inputs") : List.of(PipelineSpec.DEFAULT_INPUT);
    List<String> outputs = section.has("outputs") ? section.strings("outputs") : List.of(PipelineSpec.DEFAULT_OUTPUT);
    PipelineNode node = make(id, kind, config, inputs, outputs, section.string("placement", null), section::field);
    section.rejectUnknown();
    return node;
  }

  private static PipelineNode make(String id, Kind kind, JsonObject config, List<String> inputs, List<String> outputs,
                                   String placement, UnaryOperator<String> fields) {
    if (id == null || !NODE_ID.matcher(id).matches()) {
      throw new ConfigException(fields.apply("id"), "must be 1 to 64 letters, digits, '_' and '-' (no '.', which "
          + "separates a node from its port), was "
          + (id == null ? "missing" : "\"" + id + "\""));
    }
    Pattern target = kind.language() == Language.PYTHON ? PYTHON : JAVA;
    if (kind.target() == null || !target.matcher(kind.target()).matches()) {
      throw new ConfigException(fields.apply(kind.language() == Language.PYTHON ? "python" : "java"),
          kind.language() == Language.PYTHON ? "must be module:function, was \"" + kind.target() + "\""
              : "must be a class name, was \"" + kind.target() + "\"");
    }
    checkPorts(fields.apply("inputs"), inputs);
    checkPorts(fields.apply("outputs"), outputs);
    if (inputs.isEmpty() && outputs.isEmpty()) {
      throw new ConfigException(fields.apply("inputs"), "node " + id + " has neither inputs nor outputs");
    }
    if (placement != null && placement.isBlank()) {
      throw new ConfigException(fields.apply("placement"), "must name a cluster node, or be left out");
    }
    return new PipelineNode(id, kind, config, inputs, outputs, placement);
  }

  private static void checkPorts(String field, List<String> ports) {
    List<String> seen = new ArrayList<>();
    for (String port : ports) {
      if (port == null || !PORT.matcher(port).matches()) {
        throw new ConfigException(field, "a port name is an identifier, was \"" + port + "\"");
      }
      if (seen.contains(port)) {
        throw new ConfigException(field, "port \"" + port + "\" is named twice");
      }
      seen.add(port);
    }
  }

  public String id() {
    return id;
  }

  public Kind kind() {
    return kind;
  }

  /** The JSON handed to the node when it starts (a copy). */
  public JsonObject config() {
    return config.copy();
  }

  public List<String> inputs() {
    return inputs;
  }

  public List<String> outputs() {
    return outputs;
  }

  /** The cluster node that must run this one; empty: any. */
  public Optional<String> placement() {
    return Optional.ofNullable(placement);
  }
}
