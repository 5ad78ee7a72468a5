package io.commbus.process.internal;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.HandshakeException;
import io.commbus.process.HandshakeException.Reason;
import io.commbus.process.ProcessOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of one child: listen on its socket, spawn it, hold the handshake, carry its
 * requests, notice its exit at once (the JDK's process reaper, not polling) and stop it
 * gracefully. A restart is a new instance; the pool decides when.
 */
public final class ChildProcess {

  /** What a run reports to its pool, always on the verticle's context. */
  public interface Listener {
    void exited(ChildProcess child, String description);

    /** A request's deadline passed and the liveness check decided the child is hung. */
    default void hung(ChildProcess child) {
    }
  }

  public enum State { STARTING, READY, STOPPING, EXITED }

  public static final int PROTOCOL_VERSION = 1;

  private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());

  private final Context context;
  private final CommBus bus;
  private final ProcessOptions options;
  private final String childId;
  private final Path socketPath;
  private final String token;
  private final Listener listener;
  private final Promise<String> readiness = Promise.promise();
  private final Promise<Void> exit = Promise.promise();

  private State state = State.STARTING;
  private NetServer server;
  private NetSocket socket;
  private ChildConnection connection;
  private Process process;
  private OutputPump stdout;
  private OutputPump stderr;
  private long handshakeTimer = -1;
  private HandshakeException handshakeFailure;
  private String kind;
  private boolean hangCheckRunning;
  private String exitDescription;
  private int exitStatus = -1;
  private long startedAt;
  private long readyAt;

  public ChildProcess(Context context, CommBus bus, ProcessOptions options, String childId, Path socketPath,
                      String token, Listener listener) {
    this.context = context;
    this.bus = bus;
    this.options = options;
    this.childId = childId;
    this.socketPath = socketPath;
    this.token = token;
    this.listener = listener;
  }

  public String id() {
    return childId;
  }

  public State state() {
    return state;
  }

  /** The handler kind the child reported: sync, async or stream; null before ready. */
  public String kind() {
    return kind;
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return connection == null ? 0 : connection.inFlight();
  }

  public long startedAt() {
    return startedAt;
  }

  /** Milliseconds from spawn to ready; -1 before ready. */
  public long startupMillis() {
    return readyAt == 0 ? -1 : readyAt - startedAt;
  }

  public Future<Void> exitFuture() {
    return exit.future();
  }

  /** The exit status as the JDK reports it (128 + signal for a signal); -1 while running. */
  public int exitStatus() {
    return exitStatus;
  }

  public String exitDescription() {
    return exitDescription;
  }

  /** Spawns the child; completes with its handler kind once it is ready, or with a {@link HandshakeException}. */
  public Future<String> start() {
    startedAt = System.currentTimeMillis();
    server = context.owner().createNetServer().connectHandler(this::connected);
    server.listen(SocketAddress.domainSocketAddress(socketPath.toString()))
        .compose(s -> context.owner().executeBlocking(this::spawn, false))
        .onSuccess(spawned -> {
          process = spawned;
          // The JDK's reaper reports the exit as it happens; the output pumps get a moment to
          // drain, off the event loop, so the last lines a crashing child printed are kept.
          spawned.onExit().thenRunAsync(() -> {
            stdout.awaitEnd(200);
            stderr.awaitEnd(200);
          }).whenComplete((p, e) -> context.runOnContext(v -> exited(spawned)));
          handshakeTimer = context.owner().setTimer(options.getHandshakeTimeout().toMillis(), t -> handshakeTimedOut());
        })
        .onFailure(e -> {
          failHandshake(new HandshakeException(Reason.CHILD_EXITED, "child " + childId + " could not be started: "
              + e.getMessage()));
          state = State.EXITED;
          exitDescription = "could not be started";
          cleanUp();
          exit.tryComplete();
        });
    return readiness.future();
  }

  private Process spawn() throws IOException {
    Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
    List<String> argv = new ArrayList<>();
    // A process group of its own: a terminal's Ctrl-C reaches the node, which stops children in order.
    if (new File("/usr/bin/setsid").canExecute()) {
      argv.add("/usr/bin/setsid");
    }
    argv.addAll(options.getCommand());
    ProcessBuilder builder = new ProcessBuilder(argv);
    if (options.getWorkingDirectory() != null) {
      builder.directory(options.getWorkingDirectory().toFile());
    }
    Map<String, String> env = builder.environment();
    Map<String, String> inherited = new LinkedHashMap<>();
    String path = env.get("PATH");
    env.clear();
    if (path != null) {
      inherited.put("PATH", path);
    }
    env.putAll(inherited);
    env.putAll(options.getEnvironment());
    env.put("COMMBUS_SOCKET", socketPath.toString());
    env.put("COMMBUS_TOKEN", token);
    env.put("COMMBUS_CHILD_ID", childId);
    Process started = builder.start();
    stdout = new OutputPump(childId, "stdout", started.getInputStream());
    stderr = new OutputPump(childId, "stderr", started.getErrorStream());
    stdout.start();
    stderr.start();
    started.getOutputStream().close();
    return started;
  }

  // ---- handshake

  private void connected(NetSocket accepted) {
    if (socket != null || state != State.STARTING) {
      accepted.close(); // one connection per child; the token was already used
      return;
    }
    socket = accepted;
    FrameParser parser = new FrameParser(options.getMaxFrameSize(), FrameParser.CHILD_KINDS, this::frame,
        this::parserError);
    accepted.handler(parser);
    // A reset socket is how a killed child looks from here; its exit is what gets reported.
    accepted.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "child " + childId + " socket: " + e));
    accepted.closeHandler(v -> {
      if (connection == null) {
        socketClosed();
      }
    });
  }

  private void frame(Frame frame) {
    if (connection != null) {
      connection.handle(frame);
      return;
    }
    switch (frame.kind()) {
      case "hello":
        hello(frame.header());
        break;
      case "ready":
        ready(frame.header());
        break;
      case "fail":
        childFailed(frame.header());
        break;
      default:
        refuse(Reason.PROTOCOL, frame.kind() + " frame arrived before the handshake finished");
    }
  }

  private void hello(JsonObject header) {
    if (helloSeen) {
      refuse(Reason.PROTOCOL, "a second hello frame");
      return;
    }
    helloSeen = true;
    Object version = header.getValue("v");
    String offered = header.getValue("token") instanceof String ? header.getString("token") : "";
    if (!MessageDigest.isEqual(offered.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      refuse(Reason.BAD_TOKEN, "child " + childId + " presented a wrong token");
      return;
    }
    if (!(version instanceof Number) || ((Number) version).intValue() != PROTOCOL_VERSION) {
      refuse(Reason.VERSION_MISMATCH, "child " + childId + " speaks protocol version " + version + ", this node speaks "
          + PROTOCOL_VERSION);
      return;
    }
    JsonObject welcome = new JsonObject().put("t", "welcome").put("v", PROTOCOL_VERSION).put("child", childId)
        .put("entry", options.getEntry()).put("callbacks", new JsonArray(new ArrayList<>(options.getCallbacks())))
        .put("maxFrame", options.getMaxFrameSize());
    socket.write(FrameCodec.encode(new Frame(welcome, null)));
  }

  private boolean helloSeen;

  private void ready(JsonObject header) {
    if (!helloSeen) {
      refuse(Reason.PROTOCOL, "ready frame before hello");
      return;
    }
    String reported = header.getString("kind");
    if (!"sync".equals(reported) && !"async".equals(reported) && !"stream".equals(reported)) {
      refuse(Reason.PROTOCOL, "ready frame reports unknown handler kind " + reported);
      return;
    }
    cancelHandshakeTimer();
    kind = reported;
    readyAt = System.currentTimeMillis();
    state = State.READY;
    connection = new ChildConnection(context, socket, bus, childId, options.getStreamWindow(),
        options.getRequestTimeout(), new ChildConnection.Listener() {
          @Override
          public void protocolError(CommBusException error) {
            kill("broke the protocol: " + error.getMessage());
          }

          @Override
          public void deadlineMissed() {
            checkLiveness();
          }

          @Override
          public void closed() {
            socketClosed();
          }
        });
    readiness.tryComplete(kind);
  }

  private void childFailed(JsonObject header) {
    Reason reason = Reason.fromWireName(header.getString("reason"));
    String message = header.getString("message", reason.wireName());
    failHandshake(new HandshakeException(reason, "child " + childId + " failed to start: " + message,
        header.getString("etype"), header.getString("traceback")));
  }

  private void refuse(Reason reason, String message) {
    HandshakeException error = new HandshakeException(reason, message);
    if (socket != null) {
      JsonObject fail = new JsonObject().put("t", "fail").put("reason", reason.wireName()).put("message", message);
      socket.write(FrameCodec.encode(new Frame(fail, null)));
      socket.close();
    }
    failHandshake(error);
    kill(message);
  }

  private void parserError(CommBusException error) {
    if (connection != null) {
      connection.protocolError(error);
    } else {
      refuse(Reason.PROTOCOL, "child " + childId + ": " + error.getMessage());
    }
  }

  private void handshakeTimedOut() {
    handshakeTimer = -1;
    if (state == State.STARTING) {
      HandshakeException error = new HandshakeException(Reason.TIMEOUT, "child " + childId + " was not ready within "
          + options.getHandshakeTimeout().toMillis() + " ms" + lastOutput());
      failHandshake(error);
      kill("handshake timed out");
    }
  }

  private void failHandshake(HandshakeException error) {
    if (handshakeFailure == null && !readiness.future().isComplete()) {
      handshakeFailure = error;
      cancelHandshakeTimer();
    }
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer >= 0) {
      context.owner().cancelTimer(handshakeTimer);
      handshakeTimer = -1;
    }
  }

  private String lastOutput() {
    List<String> lines = new ArrayList<>();
    if (stderr != null) {
      lines.addAll(stderr.lastLines());
    }
    return lines.isEmpty() ? "" : "; its last output:\n" + String.join("\n", lines);
  }

  // ---- requests

  /** Sends a request to the child; fails the exchange unless the child is ready. */
  public void request(Exchange exchange) {
    if (state != State.READY || connection == null) {
      exchange.onError(new CommBusException(ErrorCode.CHILD_EXITED, "child " + childId + " is not ready"));
      return;
    }
    connection.request(exchange);
  }

  private void checkLiveness() {
    if (hangCheckRunning || state != State.READY) {
      return;
    }
    hangCheckRunning = true;
    long grace = options.getHangGrace().toMillis();
    long timer = context.owner().setTimer(grace, t -> {
      hangCheckRunning = false;
      if (state == State.READY) {
        listener.hung(this);
        kill("did not answer a liveness ping within " + grace + " ms after a request passed its deadline");
      }
    });
    connection.ping().onSuccess(v -> {
      context.owner().cancelTimer(timer);
      hangCheckRunning = false;
    });
  }

  // ---- ending

  private String killReason;

  /** Kills the child and its descendants at once (SIGKILL); its exit is reported as usual. */
  public void kill(String reason) {
    if (killReason == null) {
      killReason = reason;
    }
    if (process == null || state == State.EXITED) {
      return;
    }
    Process target = process;
    context.owner().executeBlocking(() -> {
      ProcessSignals.kill(target, true);
      return null;
    }, false);
  }

  /**
   * Stops the child gracefully: {@code bye}, then SIGTERM after the grace period, then SIGKILL
   * after another. Completes when it has exited and its socket file is gone.
   */
  public Future<Void> stop() {
    if (state == State.EXITED) {
      return exit.future();
    }
    boolean wasReady = state == State.READY;
    state = State.STOPPING;
    if (process == null) {
      return exit.future();
    }
    long grace = options.getShutdownGrace().toMillis();
    if (wasReady && connection != null) {
      connection.bye(options.getShutdownGrace());
    } else {
      failHandshake(new HandshakeException(Reason.CHILD_EXITED, "child " + childId + " was stopped before it was ready"));
    }
    Process target = process;
    long term = context.owner().setTimer(wasReady ? grace : 1, t -> context.owner().executeBlocking(() -> {
      ProcessSignals.kill(target, false);
      return null;
    }, false));
    long hard = context.owner().setTimer((wasReady ? grace : 1) + grace, t -> kill("did not stop within its grace"));
    exit.future().onComplete(v -> {
      context.owner().cancelTimer(term);
      context.owner().cancelTimer(hard);
    });
    return exit.future();
  }

  private void socketClosed() {
    if (state == State.READY) {
      // The child hung up without exiting; it is of no use any more.
      long timer = context.owner().setTimer(1000, t -> kill("closed its connection"));
      exit.future().onComplete(v -> context.owner().cancelTimer(timer));
    }
  }

  private void exited(Process ended) {
    int status = ended.exitValue();
    exitStatus = status;
    String description = "child " + childId + " (pid " + ended.pid() + ") " + ExitStatus.describe(status)
        + (killReason != null ? " after it " + killReason : "");
    exitDescription = description;
    State previous = state;
    state = State.EXITED;
    cancelHandshakeTimer();
    if (!readiness.future().isComplete()) {
      HandshakeException failure = handshakeFailure != null ? handshakeFailure
          : new HandshakeException(Reason.CHILD_EXITED, description + " before it was ready" + lastOutput());
      readiness.tryFail(failure);
    }
    ErrorCode code = killReason != null && killReason.startsWith("broke the protocol") ? ErrorCode.PROTOCOL
        : ErrorCode.CHILD_EXITED;
    if (connection != null) {
      connection.shutdown(new CommBusException(code, description));
    } else if (socket != null) {
      socket.close();
    }
    // Whatever the child left running in its process group goes with it: no orphans.
    long groupId = ended.pid();
    context.owner().executeBlocking(() -> {
      ProcessSignals.killGroup(groupId);
      return null;
    }, false).onComplete(done -> {
      cleanUp();
      exit.tryComplete();
      if (previous != State.STOPPING) {
        listener.exited(this, description);
      }
    });
  }

  private void cleanUp() {
    if (server != null) {
      server.close();
    }
    try {
      Files.deleteIfExists(socketPath);
    } catch (IOException e) {
      // the directory goes away with the pool anyway
    }
  }

  /** A snapshot for introspection. */
  public JsonObject describe() {
    JsonObject info = new JsonObject().put("id", childId).put("state", state.name()).put("pid", pid())
        .put("inFlight", inFlight());
    if (kind != null) {
      info.put("kind", kind);
    }
    if (readyAt > 0) {
      info.put("startupMillis", startupMillis());
    }
    return info;
  }
}
