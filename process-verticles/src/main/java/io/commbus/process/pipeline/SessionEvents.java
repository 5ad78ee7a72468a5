package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.json.JsonObject;

/**
 * The bus events of sessions and their nodes (docs/pipelines.md, "Lifecycle events"): types
 * under {@code commbus.pipeline.}, each naming its session.
 */
public final class SessionEvents {

  /** A session's nodes are all ready: {@code session, pipeline, nodes, readyMillis}. */
  public static final String SESSION_CREATED = "commbus.pipeline.SessionCreated";
  /** A node reported ready: {@code session, node, pid, readyMillis, run}. */
  public static final String NODE_READY = "commbus.pipeline.NodeReady";
  /** A node's process ended: {@code session, node, pid, outcome (finished, failed, stopped), cause}. */
  public static final String NODE_EXITED = "commbus.pipeline.NodeExited";
  /** A node is being started again (restart policy): {@code session, node, run, restarts}. */
  public static final String NODE_RESTARTED = "commbus.pipeline.NodeRestarted";
  /**
   * A channel into a restarted node resumed with it (restart policy): {@code session, node,
   * channel, lost}: the items sent to the node's failed run that it had not confirmed taking, so
   * at most this many were lost (an item it took and passed on just before it died counts too).
   */
  public static final String ITEMS_LOST = "commbus.pipeline.ItemsLost";
  /** A session ended: {@code session, pipeline, outcome (completed, failed, terminated), cause, node}. */
  public static final String SESSION_ENDED = "commbus.pipeline.SessionEnded";

  private static final System.Logger LOG = System.getLogger(SessionEvents.class.getName());

  private final CommBus bus;

  SessionEvents(CommBus bus) {
    this.bus = bus;
  }

  void publish(String type, String session, JsonObject body) {
    bus.publish(Message.event(type, body.put("session", session))).onFailure(e ->
        LOG.log(System.Logger.Level.WARNING, "could not publish " + type + " of session " + session + ": "
            + e.getMessage()));
  }
}
