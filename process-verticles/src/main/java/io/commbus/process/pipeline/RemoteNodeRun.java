package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * One run of a node placed on another host: the {@link SessionHost} of that host starts it
 * there, as a {@link LocalNodeRun} of its own, and streams the node's events back here. Closing
 * the stream stops the node there. Used on the sessions' context.
 */
final class RemoteNodeRun extends NodeRunState {

  /** The run's stream stays open as long as the node runs: the bus's longest bound; heartbeats keep it from going idle. */
  private static final Duration RUN_TIMEOUT = CommBusOptions.MAX_TIMEOUT;

  private final CommBus bus;
  private final String host;
  private final JsonObject request;
  private QueryStream<Message> stream;
  private long pid = -1;

  RemoteNodeRun(CommBus bus, String host, PipelineNode node, JsonObject request, Listener listener) {
    super(node, listener);
    this.bus = bus;
    this.host = host;
    this.request = request;
  }

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public void start() {
    bus.queryStream(Message.query(SessionHost.runType(host), request), RUN_TIMEOUT).onComplete(ar -> {
      if (ar.failed()) {
        CommBusException e = CommBusException.wrap(ar.cause(), ErrorCode.UNAVAILABLE);
        fail(new NodeFailure(node.id(), NodeFailure.Origin.PROCESS, e.code(), e.code() == ErrorCode.NO_HANDLER
            ? "no node named " + host + " runs pipeline sessions (its sessions.nodeName), as its placement asks"
            : "its host " + host + " could not start it: " + e.getMessage(), e.remoteType(), e.remoteTrace()));
        return;
      }
      stream = ar.result();
      if (state() == State.STOPPED) {
        stream.cancel();
        return;
      }
      stream.exceptionHandler(e -> {
        CommBusException error = CommBusException.wrap(e, ErrorCode.UNAVAILABLE);
        fail(new NodeFailure(node.id(), NodeFailure.Origin.PROCESS, error.code(), "on host " + host + ": "
            + error.getMessage(), error.remoteType(), error.remoteTrace()));
      });
      stream.endHandler(v -> {
        if (state() == State.READY) {
          finished();
        } else {
          fail(new NodeFailure(node.id(), NodeFailure.Origin.NODE, ErrorCode.PROTOCOL, "its run on host " + host
              + " ended before the node was ready", null, null));
        }
      });
      stream.handler(message -> event(message.json()));
    });
  }

  private void event(JsonObject event) {
    switch (String.valueOf(event.getValue("event"))) {
      case "ready" -> {
        if (state() == State.STARTING) {
          pid = event.getLong("pid", -1L);
          becameReady();
        }
      }
      case "failed" -> fail(NodeFailure.reported(node.id(), event));
      case "resumed" -> listener.resumed(this, event.getString("port"), event.getLong("lost", 0L));
      default -> {
        // a heartbeat, or an event of a newer host: nothing to do
      }
    }
  }

  @Override
  public Future<Void> stop() {
    markStopped();
    return stream == null ? Future.succeededFuture() : stream.cancel().recover(e -> Future.succeededFuture());
  }
}
