package io.commbus.process;

import io.commbus.process.wire.Protocol;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How to start and supervise one kind of child process, whatever its language. Defaults suit
 * a production node; tests shorten the timings. {@link PythonProcessConfig} builds these for
 * Python workers.
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
  private int maxQueued = 1024;
  private int streamWindow = Protocol.DEFAULT_CREDIT;
  private Duration requestTimeout = Duration.ofSeconds(30);
  private Duration hangGrace = Duration.ofSeconds(2);
  private Duration shutdownGrace = Duration.ofSeconds(5);
  private Duration initialRestartDelay = Duration.ofMillis(100);
  private Duration maxRestartDelay = Duration.ofSeconds(10);
  private int maxRestarts = 10;
  private Duration stableAfter = Duration.ofSeconds(10);
  private Path runtimeDirectory;

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
    this.runtimeDirectory = other.runtimeDirectory;
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
    this.environment = new LinkedHashMap<>(Objects.requireNonNull(environment, "environment"));
    return this;
  }

  public ProcessOptions putEnvironment(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /** What the child should run, sent in the {@code welcome} frame (Python: module and function). */
  public JsonObject getEntry() {
    return entry;
  }

  public ProcessOptions setEntry(JsonObject entry) {
    this.entry = Objects.requireNonNull(entry, "entry");
    return this;
  }

  /** Callback paths ({@code "market.MarketData"}) the child is told about in the handshake. */
  public List<String> getCallbacks() {
    return callbacks;
  }

  public ProcessOptions setCallbacks(List<String> callbacks) {
    this.callbacks = new ArrayList<>(Objects.requireNonNull(callbacks, "callbacks"));
    return this;
  }

  public ProcessOptions addCallback(String path) {
    callbacks.add(path);
    return this;
  }

  /** From spawn to {@code ready}; default 10 s. */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  public ProcessOptions setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
    return this;
  }

  /** Largest frame either side may send, in bytes after the length field; default 16 MiB. */
  public int getMaxFrameSize() {
    return maxFrameSize;
  }

  public ProcessOptions setMaxFrameSize(int maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
    return this;
  }

  /** Requests one child serves at once; default 256. */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  public ProcessOptions setMaxInFlight(int maxInFlight) {
    this.maxInFlight = maxInFlight;
    return this;
  }

  /** Requests a pool holds while every child is at its limit; beyond: OVERLOADED. Default 1024. */
  public int getMaxQueued() {
    return maxQueued;
  }

  public ProcessOptions setMaxQueued(int maxQueued) {
    this.maxQueued = maxQueued;
    return this;
  }

  /** Stream credit granted at once, in items, in both directions; default 256. */
  public int getStreamWindow() {
    return streamWindow;
  }

  public ProcessOptions setStreamWindow(int streamWindow) {
    this.streamWindow = streamWindow;
    return this;
  }

  /** Deadline for a request that arrives without one; default 30 s. */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public ProcessOptions setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    return this;
  }

  /** How long a child may take to answer a liveness ping before it counts as hung; default 2 s. */
  public Duration getHangGrace() {
    return hangGrace;
  }

  public ProcessOptions setHangGrace(Duration hangGrace) {
    this.hangGrace = hangGrace;
    return this;
  }

  /** Time after {@code bye} before SIGTERM, and after SIGTERM before SIGKILL; default 5 s. */
  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  public ProcessOptions setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
    return this;
  }

  /** First restart delay; it doubles per consecutive failure. Default 100 ms. */
  public Duration getInitialRestartDelay() {
    return initialRestartDelay;
  }

  public ProcessOptions setInitialRestartDelay(Duration initialRestartDelay) {
    this.initialRestartDelay = initialRestartDelay;
    return this;
  }

  /** Cap of the restart delay; default 10 s. */
  public Duration getMaxRestartDelay() {
    return maxRestartDelay;
  }

  public ProcessOptions setMaxRestartDelay(Duration maxRestartDelay) {
    this.maxRestartDelay = maxRestartDelay;
    return this;
  }

  /** Consecutive failed runs after which a child is given up; default 10. */
  public int getMaxRestarts() {
    return maxRestarts;
  }

  public ProcessOptions setMaxRestarts(int maxRestarts) {
    this.maxRestarts = maxRestarts;
    return this;
  }

  /** A child that stays ready this long resets its failure count; default 10 s. */
  public Duration getStableAfter() {
    return stableAfter;
  }

  public ProcessOptions setStableAfter(Duration stableAfter) {
    this.stableAfter = stableAfter;
    return this;
  }

  /** Where the private socket directory is created; null: the system temporary directory. */
  public Path getRuntimeDirectory() {
    return runtimeDirectory;
  }

  public ProcessOptions setRuntimeDirectory(Path runtimeDirectory) {
    this.runtimeDirectory = runtimeDirectory;
    return this;
  }

  /** Fails with a message naming the field when the options cannot work. */
  public void validate() {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command: the child's argv must not be empty");
    }
    for (String name : environment.keySet()) {
      if (RESERVED_ENV.contains(name)) {
        throw new IllegalArgumentException("environment: " + name + " is set by the runtime and cannot be configured");
      }
    }
    positive("maxFrameSize", maxFrameSize);
    positive("maxInFlight", maxInFlight);
    positive("streamWindow", streamWindow);
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must not be negative, was " + maxQueued);
    }
    if (maxRestarts < 0) {
      throw new IllegalArgumentException("maxRestarts must not be negative, was " + maxRestarts);
    }
    positive("handshakeTimeout", handshakeTimeout);
    positive("requestTimeout", requestTimeout);
    positive("hangGrace", hangGrace);
    positive("shutdownGrace", shutdownGrace);
    positive("initialRestartDelay", initialRestartDelay);
    positive("maxRestartDelay", maxRestartDelay);
  }

  private static void positive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }

  private static void positive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(field + " must be a positive duration, was " + value);
    }
  }
}
