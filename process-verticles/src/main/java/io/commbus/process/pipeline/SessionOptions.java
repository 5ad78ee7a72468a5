package io.commbus.process.pipeline;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.StartMode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a node runs pipeline sessions ({@link Sessions}): the Python its nodes run on (interpreter,
 * {@code pythonPath} for the nodes' modules, environment, and the process settings: start mode,
 * handshake timeout, shutdown grace, log level, runtime directory), the limits, and the name
 * this node answers to in a node's {@code placement}. Each setter states its bound.
 */
public class SessionOptions {

  public static final int DEFAULT_MAX_SESSIONS = 16;
  public static final int MAX_MAX_SESSIONS = 4096;
  public static final int DEFAULT_MAX_PROCESSES = 32;
  public static final int MAX_MAX_PROCESSES = PipelineSpec.MAX_NODES;

  private PythonProcessConfig python = forked(new PythonProcessConfig());
  private int maxSessions = DEFAULT_MAX_SESSIONS;
  private int maxProcessesPerSession = DEFAULT_MAX_PROCESSES;
  private String nodeName;
  private List<PipelineSpec> pipelines = new ArrayList<>();
  private ClassLoader classLoader = SessionOptions.class.getClassLoader();

  /**
   * The Python nodes run on: its module and function are the SDK's node runner, whatever is set
   * here; its {@code pythonPath} is where the nodes' modules are found. Its start mode is fork
   * unless set otherwise: each node's process is forked from a template that imported the SDK
   * once, so a session is ready in tens of milliseconds rather than an interpreter's start-up per node.
   */
  public PythonProcessConfig getPython() {
    return python;
  }

  public SessionOptions setPython(PythonProcessConfig python) {
    this.python = Objects.requireNonNull(python, "python");
    return this;
  }

  private static PythonProcessConfig forked(PythonProcessConfig python) {
    python.getProcess().setStartMode(StartMode.FORK);
    return python;
  }

  /** Sessions running at once on this node, 1 to 4096; default 16. One more is refused with RESOURCE_LIMIT. */
  public int getMaxSessions() {
    return maxSessions;
  }

  public SessionOptions setMaxSessions(int maxSessions) {
    this.maxSessions = Check.between("maxSessions", maxSessions, 1, MAX_MAX_SESSIONS);
    return this;
  }

  /** Processes one session may start (one per Python node), 1 to 256; default 32. A bigger spec is refused with RESOURCE_LIMIT. */
  public int getMaxProcessesPerSession() {
    return maxProcessesPerSession;
  }

  public SessionOptions setMaxProcessesPerSession(int maxProcessesPerSession) {
    this.maxProcessesPerSession = Check.between("maxProcessesPerSession", maxProcessesPerSession, 1,
        MAX_MAX_PROCESSES);
    return this;
  }

  /** The name a node's {@code placement} gives to be run here; null (the default): only unplaced nodes run here. */
  public String getNodeName() {
    return nodeName;
  }

  public SessionOptions setNodeName(String nodeName) {
    this.nodeName = nodeName == null ? null : Check.notBlank("nodeName", nodeName);
    return this;
  }

  /** Where the classes of Java nodes ({@code java:} in a spec) are loaded from; default: commbus's own. */
  public ClassLoader getClassLoader() {
    return classLoader;
  }

  public SessionOptions setClassLoader(ClassLoader classLoader) {
    this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    return this;
  }

  /** Pipelines sessions may be created of by name, besides those given whole; their names are unique. */
  public List<PipelineSpec> getPipelines() {
    return pipelines;
  }

  public SessionOptions addPipeline(PipelineSpec pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    if (pipelines.stream().anyMatch(p -> p.name().equals(pipeline.name()))) {
      throw new IllegalArgumentException("pipelines: \"" + pipeline.name() + "\" names two pipelines");
    }
    pipelines.add(pipeline);
    return this;
  }

  /**
   * Takes what {@code section} holds: {@code maxSessions}, {@code maxProcessesPerSession},
   * {@code nodeName}, and
   * the Python settings ({@code python}, {@code pythonPath}, {@code env} and the process
   * settings, as a pool's).
   */
  public SessionOptions readFrom(ConfigSection section) {
    section.applyInt("maxSessions", this::setMaxSessions);
    section.applyInt("maxProcessesPerSession", this::setMaxProcessesPerSession);
    section.applyString("nodeName", this::setNodeName);
    python.setModule(Sessions.NODE_MODULE);
    python.readFrom(section);
    return this;
  }
}
