package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.ChildExit;
import io.commbus.process.child.ChildProcess;
import io.commbus.process.child.ChildSpec;
import io.commbus.process.child.Exchange;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * One run of one Python node of a session on this host: a child process running the SDK's node runner
 * ({@code commbus.pipeline:serve_node}), sent one request that wires the node's function to its
 * channels, and answered with the node's events: {@code ready}, {@code failed}, and the end
 * when the function returned. A restart is a new run. Everything runs on the sessions' context.
 */
final class LocalNodeRun extends NodeRunState {

  /** How long a node's request may stay open: as long as the node runs, which has no bound of its own. */
  private static final Duration NODE_LIFETIME = Duration.ofDays(365);
  private static final String REQUEST_TYPE = "commbus.pipeline.Node";
  private static final int TOKEN_BYTES = 16;
  private static final SecureRandom TOKENS = new SecureRandom();

  private final JsonObject request;
  private final ChildProcess child;
  private Runnable cancel;

  /**
   * {@code request}: what {@code serve_node} takes (the function, its config, its channels);
   * {@code socket}: where this run's child connects.
   */
  LocalNodeRun(Context context, CommBus bus, ChildSpec spec, String childId, PipelineNode node, JsonObject request,
               Path socket, Listener listener) {
    super(node, listener);
    this.request = request;
    byte[] token = new byte[TOKEN_BYTES];
    TOKENS.nextBytes(token);
    this.child = new ChildProcess(context, bus, spec, childId, socket, HexFormat.of().formatHex(token),
        (ended, exit) -> exited(exit));
  }

  @Override
  public long pid() {
    return child.pid();
  }

  /** Starts the process and, once it has said hello, sends it the node; a process that cannot start is a failure. */
  @Override
  public void start() {
    child.start().onComplete(started -> {
      if (started.failed()) {
        CommBusException e = started.cause() instanceof CommBusException c ? c
            : new CommBusException(ErrorCode.INTERNAL, String.valueOf(started.cause().getMessage()), started.cause());
        fail(new NodeFailure(node.id(), NodeFailure.Origin.PROCESS, e.code(), e.getMessage(), e.remoteType(),
            e.remoteTrace()));
      } else if (state() == State.STARTING) {
        child.request(new NodeExchange());
      }
    });
  }

  /**
   * Stops the node: its function is cancelled (its outputs end with {@code err}), then its
   * process is asked to exit, and killed if it does not within the grace period. Completes
   * once the process is gone and nothing of it is left.
   */
  @Override
  public Future<Void> stop() {
    markStopped();
    if (cancel != null) {
      Runnable cancelling = cancel;
      cancel = null;
      cancelling.run();
    }
    return child.stop();
  }

  private void exited(ChildExit exit) {
    fail(new NodeFailure(node.id(), NodeFailure.Origin.PROCESS, ErrorCode.CHILD_EXITED, exit.description(), null,
        null));
  }

  /** The node's one request: its wiring out, its events back. */
  private final class NodeExchange implements Exchange {
    private final long deadline = System.currentTimeMillis() + NODE_LIFETIME.toMillis();

    @Override
    public long deadlineMillis() {
      return deadline;
    }

    @Override
    public String type() {
      return REQUEST_TYPE;
    }

    @Override
    public Object payload() {
      return request;
    }

    @Override
    public String traceparent() {
      return null;
    }

    @Override
    public boolean streamed() {
      return true;
    }

    @Override
    public void onValue(Object value) {
      onEnd();
    }

    @Override
    public void onItem(Object value, Runnable consumed) {
      consumed.run();
      JsonObject event = value instanceof JsonObject json ? json : new JsonObject();
      switch (String.valueOf(event.getValue("event"))) {
        case "ready" -> {
          becameReady();
        }
        case "failed" -> fail(NodeFailure.reported(node.id(), event));
        case "resumed" -> listener.resumed(LocalNodeRun.this, String.valueOf(event.getValue("port")),
            event.getValue("lost") instanceof Number lost ? lost.longValue() : 0);
        default -> {
          // an event this side does not know: a newer SDK's, ignored
        }
      }
    }

    @Override
    public void onEnd() {
      cancel = null;
      if (state() == State.READY) {
        finished();
      } else if (state() == State.STARTING) {
        fail(new NodeFailure(node.id(), NodeFailure.Origin.NODE, ErrorCode.PROTOCOL,
            "its runner ended before the node was ready", null, null));
      }
    }

    @Override
    public void onError(CommBusException error) {
      cancel = null;
      // Before ready: its function did not import, or a channel could not be made. After: its process is ending.
      fail(new NodeFailure(node.id(), error.code() == ErrorCode.CHILD_EXITED ? NodeFailure.Origin.PROCESS
          : NodeFailure.Origin.NODE, error.code(), error.getMessage(), error.remoteType(), error.remoteTrace()));
    }

    @Override
    public void onCallerCancel(Runnable cancelling) {
      cancel = cancelling;
    }
  }
}
