package io.commbus.process.child;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FailReason;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One run of one child: listen on its socket, spawn it, hand its first frames to the
 * {@link Handshake} and the rest to its {@link ChildConnection}, notice its exit at once (the
 * JDK's process reaper, not polling) and stop it gracefully. A restart is a new instance; the
 * pool decides when. Everything but the blocking calls runs on the verticle's context.
 *
 * <p>Past the usual size on purpose: it is one run's state machine, and every transition
 * (spawn, connect, handshake, ready, hang-up, kill, exit) reads and sets the same few fields;
 * split, the rules for who may end a run, and how, would be spread over several classes.
 */
public final class ChildProcess {

  /** What a run reports to its pool, on the verticle's context. */
  public interface Listener {
    /** The child ended without being asked to stop. */
    void exited(ChildProcess child, ChildExit exit);
  }

  /**
   * Where a run is. {@code ENDING}: it was ready, and then its connection closed or this side
   * decided to kill it; it takes no requests while its exit is awaited.
   */
  public enum State { STARTING, READY, ENDING, STOPPING, EXITED }

  private static final System.Logger LOG = System.getLogger(ChildProcess.class.getName());
  /** How long a child that closed its connection may take to exit by itself before it is killed. */
  private static final long DISCONNECTED_GRACE_MILLIS = 1000;

  private final Context context;
  private final CommBus bus;
  private final ChildSpec spec;
  private final String childId;
  private final Path socketPath;
  private final String token;
  private final Listener listener;
  private final ChildLog log;
  private final Promise<HandlerKind> readiness = Promise.promise();
  private final Promise<Void> exit = Promise.promise();

  private State state = State.STARTING;
  private NetServer server;
  private NetSocket socket;
  private Handshake handshake;
  private ChildConnection connection;
  private ChildRun process;
  private long handshakeTimer = -1;
  private CommBusException startFailure;
  private HandlerKind handlerKind;
  private ExitCause killCause;
  private String killReason;
  private long startedAt;
  private long readyAt;

  public ChildProcess(Context context, CommBus bus, ChildSpec spec, String childId, Path socketPath, String token,
                      Listener listener) {
    this.context = context;
    this.bus = bus;
    this.spec = spec;
    this.childId = childId;
    this.socketPath = socketPath;
    this.token = token;
    this.listener = listener;
    this.log = new ChildLog(childId);
  }

  public State state() {
    return state;
  }

  /** The kind of handler the child reported; null before ready. */
  public HandlerKind handlerKind() {
    return handlerKind;
  }

  public long pid() {
    return process == null ? -1 : process.pid();
  }

  /** Whether a request sent now would reach the child: it is ready and its connection is open. */
  public boolean acceptsRequests() {
    return state == State.READY && connection != null && connection.isOpen();
  }

  /** Requests sent and not yet answered. */
  public int inFlight() {
    return connection == null ? 0 : connection.inFlight();
  }

  /** Milliseconds from spawn to ready; -1 before ready. */
  public long startupMillis() {
    return readyAt == 0 ? -1 : readyAt - startedAt;
  }

  /**
   * Starts the child through its spec's {@link Launcher} (spawned, or forked from a template);
   * completes with its handler kind once it is ready, or fails with a
   * {@link HandshakeFailure} naming why it is not.
   */
  public Future<HandlerKind> start() {
    startedAt = System.currentTimeMillis();
    server = context.owner().createNetServer().connectHandler(this::connected);
    listen()
        .compose(s -> spec.launcher().launch(context, spec, socketPath, token, childId))
        .onSuccess(spawned -> {
          process = spawned;
          spawned.onExit(context, status -> exited(spawned, status));
          if (killCause != null || state == State.STOPPING) {
            // Its end was decided while the spawn was still under way (a fail frame can come first).
            spawned.signal(context, true);
            return;
          }
          handshakeTimer = context.owner().setTimer(spec.handshakeTimeout().toMillis(), t -> handshakeTimedOut());
        })
        .onFailure(e -> {
          // Whether it is the first start or a restart, it fails now, and the pool hears of it
          // as of any run that ended: nothing waits for a child that never came to be.
          String description = ExitCause.SPAWN_FAILED.describe(childId, -1, -1, String.valueOf(e.getMessage()));
          // A fork server says why itself (its module did not import, say); a failed spawn is an exit before ready.
          failStart(e instanceof HandshakeFailure said ? said : new HandshakeFailure(FailReason.CHILD_EXITED,
              description));
          State previous = state;
          state = State.EXITED;
          killCause = ExitCause.SPAWN_FAILED;
          cleanUp().onComplete(done -> {
            readiness.tryFail(startFailure);
            exit.tryComplete();
            if (previous != State.STOPPING) {
              listener.exited(this, new ChildExit(ExitCause.SPAWN_FAILED, -1, description));
            }
          });
        });
    return readiness.future();
  }

  /** Listens on the socket; a path the platform cannot bind fails here, saying so, rather than in the OS. */
  private Future<NetServer> listen() {
    int length = socketPath.toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > Protocol.MAX_SOCKET_PATH_BYTES) {
      return Future.failedFuture(new IllegalArgumentException("its socket path " + socketPath + " is " + length
          + " bytes long, over the " + Protocol.MAX_SOCKET_PATH_BYTES + "-byte limit of a Unix socket path"));
    }
    return server.listen(SocketAddress.domainSocketAddress(socketPath.toString()));
  }

  // ---- the connection

  private void connected(NetSocket accepted) {
    if (socket != null || state != State.STARTING) {
      accepted.close(); // one connection per child; the token was already used
      return;
    }
    socket = accepted;
    handshake = new Handshake(accepted, childId, token, spec, new Handshake.Listener() {
      @Override
      public void ready(HandlerKind kind) {
        becameReady(kind);
      }

      @Override
      public void refused(HandshakeFailure failure, String why) {
        failStart(failure);
        kill(ExitCause.HANDSHAKE_FAILED, why);
      }

      @Override
      public void childFailed(HandshakeFailure failure) {
        // Not trusted to exit by itself: a child that said it cannot start and lingers would
        // otherwise hold its slot (and the start) with no timer left to end it.
        failStart(failure);
        accepted.close();
        kill(ExitCause.HANDSHAKE_FAILED, "it reported that it cannot start (" + failure.reason().wireName() + ")");
      }
    });
    accepted.handler(new FrameParser(spec.maxFrameSize(), FrameKind.FROM_CHILD, this::frame, this::parserError));
    // A reset socket is how a killed child looks from here; its exit is what gets reported.
    accepted.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, "child " + childId + " socket: " + e));
    accepted.closeHandler(v -> {
      if (connection == null) {
        socketClosed();
      }
    });
  }

  private void frame(Frame frame) {
    if (frame.kind() == FrameKind.LOG && (connection != null || handshake.welcomed())) {
      try {
        log.record(frame);
      } catch (ProtocolViolation e) {
        parserError(e);
      }
      return;
    }
    if (connection != null) {
      connection.handle(frame);
      return;
    }
    try {
      handshake.handle(frame);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "bug: the parent failed handling a " + frame.kind().wireName()
          + " frame in the handshake of child " + childId + ": " + frame, e);
      failStart(new CommBusException(ErrorCode.INTERNAL, "child " + childId + " could not be started: the parent "
          + "failed handling its " + frame.kind().wireName() + " frame: " + e));
      kill(ExitCause.PARENT_FAILED, "its " + frame.kind().wireName() + " frame in the handshake");
    }
  }

  private void parserError(ProtocolViolation violation) {
    if (connection != null) {
      connection.protocolError(violation);
    } else {
      handshake.refuse(FailReason.PROTOCOL, "broke the protocol: " + violation.getMessage());
    }
  }

  private void becameReady(HandlerKind kind) {
    cancelHandshakeTimer();
    handlerKind = kind;
    readyAt = System.currentTimeMillis();
    state = State.READY;
    LivenessCheck liveness = new LivenessCheck(context, spec.hangGrace().toMillis(), () -> connection.ping(), () -> {
      if (state == State.READY) {
        kill(ExitCause.HUNG, spec.hangGrace().toMillis() + " ms of a request passing its deadline");
      }
    });
    connection = new ChildConnection(context, socket, bus, "child " + childId, ConnectionSpec.child(spec),
        new ChildConnection.Listener() {
      @Override
      public void broken(ExitCause cause, CommBusException error, String detail) {
        kill(cause, detail);
      }

      @Override
      public void deadlineMissed() {
        if (state == State.READY) {
          liveness.deadlineMissed();
        }
      }

      @Override
      public void closed() {
        socketClosed();
      }
    });
    readiness.tryComplete(kind);
  }

  private void handshakeTimedOut() {
    handshakeTimer = -1;
    if (state == State.STARTING) {
      failStart(new HandshakeFailure(FailReason.TIMEOUT, "child " + childId + " was not ready within "
          + spec.handshakeTimeout().toMillis() + " ms" + lastOutput()));
      kill(ExitCause.HANDSHAKE_FAILED, "it was not ready within " + spec.handshakeTimeout().toMillis() + " ms");
    }
  }

  /** Keeps the first reason the start failed; the readiness future fails with it once the child has exited. */
  private void failStart(CommBusException error) {
    if (startFailure == null && !readiness.future().isComplete()) {
      startFailure = error;
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
    List<String> lines = process == null ? List.of() : process.lastErrorLines();
    return lines.isEmpty() ? "" : "; its last output:\n" + String.join("\n", lines);
  }

  // ---- requests

  /** Sends a request to the child; hands it back undelivered unless the child {@link #acceptsRequests()}. */
  public void request(Exchange exchange) {
    if (!acceptsRequests()) {
      exchange.onUndelivered(new CommBusException(ErrorCode.CHILD_EXITED, "child " + childId + " is not ready"));
      return;
    }
    connection.request(exchange);
  }

  // ---- ending

  /**
   * Kills the child and its descendants at once (SIGKILL); its exit is reported as usual, in
   * words {@link ExitCause#describe} makes of {@code cause} and {@code reason}.
   */
  private void kill(ExitCause cause, String reason) {
    if (killCause == null) {
      killCause = cause;
      killReason = reason;
    }
    if (state == State.READY) {
      state = State.ENDING;
    }
    if (process == null || state == State.EXITED) {
      return;
    }
    process.signal(context, true);
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
    long grace = spec.shutdownGrace().toMillis();
    if (wasReady && connection != null) {
      connection.bye(spec.shutdownGrace());
    } else {
      failStart(new HandshakeFailure(FailReason.CHILD_EXITED, "child " + childId + " was stopped before it was ready"));
    }
    ChildRun target = process;
    long term = context.owner().setTimer(wasReady ? grace : 1, t -> target.signal(context, false));
    long hardAfter = (wasReady ? grace : 1) + grace;
    long hard = context.owner().setTimer(hardAfter, t -> kill(ExitCause.STOPPED, hardAfter + " ms"));
    exit.future().onComplete(v -> {
      context.owner().cancelTimer(term);
      context.owner().cancelTimer(hard);
    });
    return exit.future();
  }

  private void socketClosed() {
    if (state == State.READY) {
      // The child hung up: it takes no more requests, and gets a moment to exit by itself.
      state = State.ENDING;
      long timer = context.owner().setTimer(DISCONNECTED_GRACE_MILLIS,
          t -> kill(ExitCause.DISCONNECTED, DISCONNECTED_GRACE_MILLIS + " ms"));
      exit.future().onComplete(v -> context.owner().cancelTimer(timer));
    }
  }

  private void exited(ChildRun ended, int status) {
    State previous = state;
    ExitCause cause = killCause != null ? killCause
        : previous == State.STOPPING ? ExitCause.STOPPED
        : ExitStatus.signal(status) > 0 ? ExitCause.SIGNALLED : ExitCause.EXITED;
    String description = cause.describe(childId, ended.pid(), status, killReason);
    state = State.EXITED;
    cancelHandshakeTimer();
    CommBusException notReady = readiness.future().isComplete() ? null : startFailure != null ? startFailure
        : new HandshakeFailure(FailReason.CHILD_EXITED, description + " before it was ready" + lastOutput());
    if (connection != null) {
      connection.shutdown(new CommBusException(cause.errorCode(), description));
    } else if (socket != null) {
      socket.close();
    }
    // A start that failed is reported once nothing of the run is left: no process, no socket file.
    ended.killLeftovers(context).transform(done -> cleanUp()).onComplete(done -> {
      if (notReady != null) {
        readiness.tryFail(notReady);
      }
      exit.tryComplete();
      if (previous != State.STOPPING) {
        listener.exited(this, new ChildExit(cause, status, description));
      }
    });
  }

  /** Closes the listener, then removes the socket file (on a worker); completes either way. */
  private Future<Void> cleanUp() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.transform(v -> context.owner().<Void>executeBlocking(() -> {
      try {
        Files.deleteIfExists(socketPath);
      } catch (IOException e) {
        // the directory goes away with the pool anyway
      }
      return null;
    }, false)).transform(v -> Future.succeededFuture());
  }
}
