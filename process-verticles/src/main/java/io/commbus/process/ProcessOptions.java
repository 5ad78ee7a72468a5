package io.commbus.process;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.process.pool.RuntimeDirectory;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.LogLevel;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How to start and supervise one kind of child process, whatever its language. Defaults suit
 * a production node; tests shorten the timings. {@link PythonProcessConfig} builds these for
 * Python workers. Each setter states its bound and refuses what is out of it with an
 * {@link InvalidSettingException} naming the setting; {@link #validate()} checks what no single
 * setter can (a command, and variables put into {@link #getEnvironment()} directly).
 */
public class ProcessOptions {

  /** Environment variables the runtime sets itself; configuration may not override them. */
  public static final Set<String> RESERVED_ENV = Set.of(Protocol.ENV_SOCKET, Protocol.ENV_TOKEN, Protocol.ENV_CHILD_ID);

  private List<String> command = new ArrayList<>();
  private Path workingDirectory;
  private Map<String, String> environment = new LinkedHashMap<>();
  private JsonObject entry = new JsonObject();
  private List<String> callbacks = new ArrayList<>();
  private Duration handshakeTimeout = Duration.ofSeconds(10);
  private int maxFrameSize = Protocol.DEFAULT_MAX_FRAME_SIZE;
  private int maxInFlight = 256;
  /**
   * Sized for a burst: 2,000 requests fired at once at a pool of one child (256 in flight) wait
   * here rather than fail, with room to spare; a queued request costs its message and little else.
   */
  private int maxQueued = 4096;
  private int streamWindow = Protocol.DEFAULT_CREDIT;
  private Duration requestTimeout = Duration.ofSeconds(30);
  private Duration hangGrace = Duration.ofSeconds(2);
  /** How long a child has after {@code bye}, and again after SIGTERM, unless set otherwise. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);

  private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
  private Duration initialRestartDelay = Duration.ofMillis(100);
  private Duration maxRestartDelay = Duration.ofSeconds(10);
  private int maxRestarts = 10;
  private Duration stableAfter = Duration.ofSeconds(10);
  private Duration givenUpRetryInterval = Duration.ofMinutes(1);
  private Path runtimeDirectory;
  private LogLevel logLevel = LogLevel.INFO;
  private StartMode startMode = StartMode.SPAWN;

  public ProcessOptions() {
  }

  public ProcessOptions(ProcessOptions other) {
    this.command = new ArrayList<>(other.command);
    this.workingDirectory = other.workingDirectory;
    this.environment = new LinkedHashMap<>(other.environment);
    this.entry = other.entry.copy();
    this.callbacks = new ArrayList<>(other.callbacks);
    this.handshakeTimeout = other.handshakeTimeout;
    this.maxFrameSize = other.maxFrameSize;
    this.maxInFlight = other.maxInFlight;
    this.maxQueued = other.maxQueued;
    this.streamWindow = other.streamWindow;
    this.requestTimeout = other.requestTimeout;
    this.hangGrace = other.hangGrace;
    this.shutdownGrace = other.shutdownGrace;
    this.initialRestartDelay = other.initialRestartDelay;
    this.maxRestartDelay = other.maxRestartDelay;
    this.maxRestarts = other.maxRestarts;
    this.stableAfter = other.stableAfter;
    this.givenUpRetryInterval = other.givenUpRetryInterval;
    this.runtimeDirectory = other.runtimeDirectory;
    this.logLevel = other.logLevel;
    this.startMode = other.startMode;
  }

  /** The argv of the child, program first. It is executed directly, never through a shell. */
  public List<String> getCommand() {
    return command;
  }

  public ProcessOptions setCommand(List<String> command) {
    this.command = new ArrayList<>(Objects.requireNonNull(command, "command"));
    return this;
  }

  /** The child's working directory; null: the node's. */
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  public ProcessOptions setWorkingDirectory(Path workingDirectory) {
    this.workingDirectory = workingDirectory;
    return this;
  }

  /**
   * Variables added to the child's otherwise minimal environment: the node's {@code PATH}, then
   * these (a {@code PATH} here replaces the node's), then the protocol's {@code COMMBUS_*}
   * variables, which these may not name.
   */
  public Map<String, String> getEnvironment() {
    return environment;
  }

  public ProcessOptions setEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment").keySet().forEach(ProcessOptions::configurable);
    this.environment = new LinkedHashMap<>(environment);
    return this;
  }

  public ProcessOptions putEnvironment(String name, String value) {
    environment.put(configurable(name), value);
    return this;
  }

  /** {@code name}, unless it is one of the variables the runtime sets itself ({@link #RESERVED_ENV}). */
  static String configurable(String name) {
    if (RESERVED_ENV.contains(name)) {
      throw new InvalidSettingException("environment." + name, "is set by the runtime and cannot be configured");
    }
    return name;
  }

  /** What the child should run, sent in the {@code welcome} frame (Python: module and function). */
  public JsonObject getEntry() {
    return entry;
  }

  public ProcessOptions setEntry(JsonObject entry) {
    this.entry = Objects.requireNonNull(entry, "entry");
    return this;
  }

  /**
   * Callback paths ({@code "market.MarketData"}) the child is told about in the handshake: what
   * {@code dir(commbus)} shows and errors name as known. Optional: a child calls any path, and
   * the bus finds its handler wherever and whenever it was registered. A node lists its own
   * callback handlers here for every pool.
   */
  public List<String> getCallbacks() {
    return callbacks;
  }

  public ProcessOptions setCallbacks(List<String> callbacks) {
    List<String> checked = new ArrayList<>();
    for (String path : Objects.requireNonNull(callbacks, "callbacks")) {
      checked.add(CallbackPaths.check("callbacks[" + checked.size() + "]", path));
    }
    this.callbacks = checked;
    return this;
  }

  /** Adds {@code path} to {@link #getCallbacks()} unless it is there already. */
  public ProcessOptions addCallback(String path) {
    CallbackPaths.check("callbacks[" + callbacks.size() + "]", path);
    if (!callbacks.contains(path)) {
      callbacks.add(path);
    }
    return this;
  }

  /** From spawn to {@code ready}; default 10 s. */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  public ProcessOptions setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = Check.positive("handshakeTimeout", handshakeTimeout);
    return this;
  }

  /** Largest frame either side may send, in bytes after the length field; default 16 MiB. */
  public int getMaxFrameSize() {
    return maxFrameSize;
  }

  public ProcessOptions setMaxFrameSize(int maxFrameSize) {
    this.maxFrameSize = Check.atLeast("maxFrameSize", maxFrameSize, 1);
    return this;
  }

  /** Requests one child serves at once; default 256. */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  public ProcessOptions setMaxInFlight(int maxInFlight) {
    this.maxInFlight = Check.atLeast("maxInFlight", maxInFlight, 1);
    return this;
  }

  /**
   * Requests a pool holds while every child is at its limit; beyond: OVERLOADED. Default 4096.
   * A pool takes a burst of {@code size × maxInFlight + maxQueued} requests at once.
   */
  public int getMaxQueued() {
    return maxQueued;
  }

  public ProcessOptions setMaxQueued(int maxQueued) {
    this.maxQueued = Check.atLeast("maxQueued", maxQueued, 0);
    return this;
  }

  /** Stream credit granted at once, in items, in both directions; default 256. */
  public int getStreamWindow() {
    return streamWindow;
  }

  public ProcessOptions setStreamWindow(int streamWindow) {
    this.streamWindow = Check.atLeast("streamWindow", streamWindow, 1);
    return this;
  }

  /** Deadline for a request that arrives without one; default 30 s. */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public ProcessOptions setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = Check.positive("requestTimeout", requestTimeout);
    return this;
  }

  /** How long a child may take to answer a liveness ping before it counts as hung; default 2 s. */
  public Duration getHangGrace() {
    return hangGrace;
  }

  public ProcessOptions setHangGrace(Duration hangGrace) {
    this.hangGrace = Check.positive("hangGrace", hangGrace);
    return this;
  }

  /** Time after {@code bye} before SIGTERM, and after SIGTERM before SIGKILL; default 5 s. */
  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  public ProcessOptions setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = Check.positive("shutdownGrace", shutdownGrace);
    return this;
  }

  /** First restart delay; it doubles per consecutive failure. Default 100 ms. */
  public Duration getInitialRestartDelay() {
    return initialRestartDelay;
  }

  public ProcessOptions setInitialRestartDelay(Duration initialRestartDelay) {
    this.initialRestartDelay = Check.positive("initialRestartDelay", initialRestartDelay);
    return this;
  }

  /** Cap of the restart delay; default 10 s. */
  public Duration getMaxRestartDelay() {
    return maxRestartDelay;
  }

  public ProcessOptions setMaxRestartDelay(Duration maxRestartDelay) {
    this.maxRestartDelay = Check.positive("maxRestartDelay", maxRestartDelay);
    return this;
  }

  /** Consecutive failed runs after which a child is given up; default 10. */
  public int getMaxRestarts() {
    return maxRestarts;
  }

  public ProcessOptions setMaxRestarts(int maxRestarts) {
    this.maxRestarts = Check.atLeast("maxRestarts", maxRestarts, 0);
    return this;
  }

  /** A child that stays ready this long resets its failure count; default 10 s. */
  public Duration getStableAfter() {
    return stableAfter;
  }

  public ProcessOptions setStableAfter(Duration stableAfter) {
    this.stableAfter = Check.positive("stableAfter", stableAfter);
    return this;
  }

  /**
   * How often a child that was given up is tried again, so a pool recovers by itself once the
   * cause goes away; default 1 min.
   */
  public Duration getGivenUpRetryInterval() {
    return givenUpRetryInterval;
  }

  public ProcessOptions setGivenUpRetryInterval(Duration givenUpRetryInterval) {
    this.givenUpRetryInterval = Check.positive("givenUpRetryInterval", givenUpRetryInterval);
    return this;
  }

  /**
   * Where the private socket directory is created; null: the system temporary directory (or
   * {@code /tmp} when that is too long). At most {@link RuntimeDirectory#MAX_PARENT_BYTES}
   * bytes as an absolute path, so that its socket paths stay within the platform's limit.
   */
  public Path getRuntimeDirectory() {
    return runtimeDirectory;
  }

  public ProcessOptions setRuntimeDirectory(Path runtimeDirectory) {
    if (runtimeDirectory != null) {
      RuntimeDirectory.unfit(runtimeDirectory).ifPresent(why -> {
        throw new InvalidSettingException("runtimeDirectory", why);
      });
    }
    this.runtimeDirectory = runtimeDirectory;
    return this;
  }

  /**
   * The least level of the child's logging that reaches the node's log (default INFO). For a
   * Python child this is the root logger's level, and records at or above it travel to the node
   * as {@code log} frames; a logger the program sets lower still sends only what this allows.
   */
  public LogLevel getLogLevel() {
    return logLevel;
  }

  public ProcessOptions setLogLevel(LogLevel logLevel) {
    this.logLevel = Objects.requireNonNull(logLevel, "logLevel");
    return this;
  }

  /** How the pool starts its children (default {@link StartMode#SPAWN}); {@link StartMode#FORK} is for Python workers. */
  public StartMode getStartMode() {
    return startMode;
  }

  public ProcessOptions setStartMode(StartMode startMode) {
    this.startMode = Objects.requireNonNull(startMode, "startMode");
    return this;
  }

  /**
   * Takes the settings {@code section} holds: {@code workingDirectory} and {@code runtimeDirectory}
   * (relative to the configuration file), {@code callbacks}, {@code maxInFlight},
   * {@code maxQueued}, {@code requestTimeout}, {@code handshakeTimeout}, {@code shutdownGrace},
   * {@code hangGrace}, {@code logLevel}, {@code startMode}, and the restart policy: {@code initialRestartDelay},
   * {@code maxRestartDelay}, {@code maxRestarts}, {@code stableAfter} and
   * {@code givenUpRetryInterval}; the others keep their values.
   */
  public ProcessOptions readFrom(ConfigSection section) {
    section.applyPath("workingDirectory", this::setWorkingDirectory);
    section.applyPath("runtimeDirectory", this::setRuntimeDirectory);
    section.applyStrings("callbacks", this::setCallbacks);
    section.applyInt("maxInFlight", this::setMaxInFlight);
    section.applyInt("maxQueued", this::setMaxQueued);
    section.applyDuration("requestTimeout", this::setRequestTimeout);
    section.applyDuration("handshakeTimeout", this::setHandshakeTimeout);
    section.applyDuration("shutdownGrace", this::setShutdownGrace);
    section.applyDuration("hangGrace", this::setHangGrace);
    section.applyString("logLevel", name -> setLogLevel(logLevel(name)));
    section.applyString("startMode", name -> setStartMode(startMode(name)));
    section.applyDuration("initialRestartDelay", this::setInitialRestartDelay);
    section.applyDuration("maxRestartDelay", this::setMaxRestartDelay);
    section.applyInt("maxRestarts", this::setMaxRestarts);
    section.applyDuration("stableAfter", this::setStableAfter);
    section.applyDuration("givenUpRetryInterval", this::setGivenUpRetryInterval);
    try {
      checkRestartDelays();
    } catch (InvalidSettingException e) {
      throw new ConfigException(section.field(e.setting()), e.problem(), e);
    }
    return this;
  }

  private static StartMode startMode(String name) {
    StartMode mode = StartMode.fromWireName(name);
    if (mode == null) {
      throw new InvalidSettingException("startMode", "must be spawn or fork, was \"" + name + "\"");
    }
    return mode;
  }

  private static LogLevel logLevel(String name) {
    LogLevel level = LogLevel.fromWireName(name.toLowerCase(Locale.ROOT));
    if (level == null) {
      throw new InvalidSettingException("logLevel", "must be one of " + Arrays.stream(LogLevel.values())
          .map(LogLevel::wireName).collect(Collectors.joining(", ")) + ", was \"" + name + "\"");
    }
    return level;
  }

  /** The one check across two settings, which no setter can make alone (either may be set first). */
  private void checkRestartDelays() {
    if (maxRestartDelay.compareTo(initialRestartDelay) < 0) {
      throw new InvalidSettingException("maxRestartDelay", "must not be shorter than initialRestartDelay ("
          + initialRestartDelay.toMillis() + " ms), was " + maxRestartDelay.toMillis() + " ms");
    }
  }

  /** Fails with a message naming the field when the options cannot work. */
  public void validate() {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: the child's argv must not be empty");
    }
    environment.keySet().forEach(ProcessOptions::configurable);
    checkRestartDelays();
  }
}
