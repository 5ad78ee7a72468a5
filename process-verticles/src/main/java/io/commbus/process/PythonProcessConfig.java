package io.commbus.process;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.process.wire.Protocol;
import io.vertx.core.json.JsonObject;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Python worker: which interpreter, which module and function handle requests, extra
 * {@code sys.path} entries and environment. Whether the function is sync, async or an async
 * generator is detected by the child, not configured. The SDK shipped in the commbus jar
 * goes first on the child's path, so workers need no installation. Each setter states its bound
 * and refuses what is out of it with an {@link InvalidSettingException} naming the setting.
 */
public class PythonProcessConfig {

  /** The SDK's module a child runs: {@code python -m commbus.child}. */
  static final String CHILD_MODULE = "commbus.child";
  /** The SDK's module a pool's template runs in fork mode. */
  static final String FORK_SERVER_MODULE = "commbus.forkserver";

  private static final String PYTHONPATH = "PYTHONPATH";
  private static final String PYTHONUNBUFFERED = "PYTHONUNBUFFERED";

  private String python = "python3";
  private String module;
  private String function = "handle";
  private List<Path> pythonPath = new ArrayList<>();
  private Map<String, String> environment = new LinkedHashMap<>();
  private ProcessOptions process = new ProcessOptions();

  public PythonProcessConfig() {
  }

  public PythonProcessConfig(String module, String function) {
    setModule(module);
    setFunction(function);
  }

  /** The interpreter, a name on PATH or a path; default {@code python3}. */
  public String getPython() {
    return python;
  }

  public PythonProcessConfig setPython(String python) {
    this.python = Check.notBlank("python", python);
    return this;
  }

  /** The module that holds the handler; required. */
  public String getModule() {
    return module;
  }

  public PythonProcessConfig setModule(String module) {
    this.module = Check.notBlank("module", module);
    return this;
  }

  /** The function that handles requests; default {@code handle}. */
  public String getFunction() {
    return function;
  }

  public PythonProcessConfig setFunction(String function) {
    this.function = Check.notBlank("function", function);
    return this;
  }

  /** Directories put on the child's {@code sys.path}, after the SDK. */
  public List<Path> getPythonPath() {
    return pythonPath;
  }

  public PythonProcessConfig setPythonPath(List<Path> pythonPath) {
    this.pythonPath = new ArrayList<>(pythonPath);
    return this;
  }

  public PythonProcessConfig addPythonPath(Path directory) {
    pythonPath.add(directory);
    return this;
  }

  /**
   * Variables for the child, besides those of {@link ProcessOptions#getEnvironment()}. A name
   * set in both must have the same value in both. {@code PYTHONPATH} is made from the SDK and
   * {@link #getPythonPath()}, so it is refused here, and {@code PYTHONUNBUFFERED} is 1 so the
   * node's log gets each line as it is printed: configuring it to another value fails the start.
   */
  public Map<String, String> getEnvironment() {
    return environment;
  }

  public PythonProcessConfig putEnvironment(String name, String value) {
    if (name.equals(PYTHONPATH)) {
      throw new InvalidSettingException("environment." + PYTHONPATH, "is set by the runtime; use pythonPath");
    }
    environment.put(ProcessOptions.configurable(name), value);
    return this;
  }

  /** Supervision, limits and timings; its command and entry are filled in from this config. */
  public ProcessOptions getProcess() {
    return process;
  }

  public PythonProcessConfig setProcess(ProcessOptions process) {
    this.process = Objects.requireNonNull(process, "process");
    return this;
  }

  /**
   * Takes the settings {@code section} holds: {@code module} (required unless already set),
   * {@code function}, {@code python}, {@code pythonPath} (relative to the configuration file),
   * {@code env}, and the supervision settings {@link ProcessOptions#readFrom} reads into
   * {@link #getProcess()}; the others keep their values.
   */
  public PythonProcessConfig readFrom(ConfigSection section) {
    section.applyString("module", this::setModule);
    section.require("module", module, "the Python module that holds the handler");
    section.applyString("function", this::setFunction);
    section.applyString("python", this::setPython);
    section.applyPaths("pythonPath", this::setPythonPath);
    section.applyStringMap("env", this::putEnvironment);
    process.readFrom(section);
    return this;
  }

  /** The generic options that start this worker, with the SDK at {@code sdkDirectory}. */
  public ProcessOptions toProcessOptions(Path sdkDirectory) {
    if (module == null) {
      throw new IllegalArgumentException("module: the Python module to import must be set");
    }
    ProcessOptions options = new ProcessOptions(process);
    options.setCommand(List.of(python, "-m", CHILD_MODULE));
    options.setEntry(new JsonObject().put(Protocol.ENTRY_MODULE, module).put(Protocol.ENTRY_FUNCTION, function));
    List<String> path = new ArrayList<>();
    path.add(sdkDirectory.toString());
    for (Path entry : pythonPath) {
      path.add(entry.toAbsolutePath().toString());
    }
    // Three sources, merged explicitly: a variable two of them set must agree, or the start fails.
    Map<String, String> env = new LinkedHashMap<>(process.getEnvironment());
    environment.forEach((name, value) -> putAgreeing(env, name, value, "in the worker's environment"));
    putAgreeing(env, PYTHONPATH, String.join(File.pathSeparator, path), "by the SDK and pythonPath (use pythonPath)");
    // Output reaches the node's log line by line, not when a buffer fills.
    putAgreeing(env, PYTHONUNBUFFERED, "1", "by the runtime");
    options.setEnvironment(env);
    return options;
  }

  private static void putAgreeing(Map<String, String> env, String name, String value, String source) {
    String earlier = env.putIfAbsent(name, value);
    if (earlier != null && !earlier.equals(value)) {
      throw new IllegalArgumentException("environment: " + name + " is set to \"" + earlier + "\" and to \"" + value
          + "\" " + source + "; set it in one place");
    }
  }
}
