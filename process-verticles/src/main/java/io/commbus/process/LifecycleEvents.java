package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.process.child.ChildExit;
import io.commbus.process.pool.PoolListener;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.json.JsonObject;

/** Publishes what a pool reports about its children as the bus events of {@link ProcessEvents}. */
final class LifecycleEvents implements PoolListener {

  private static final System.Logger LOG = System.getLogger(LifecycleEvents.class.getName());

  private final CommBus bus;
  private final String poolName;
  private boolean enabled;

  LifecycleEvents(CommBus bus, PoolOptions pool) {
    this.bus = bus;
    this.poolName = pool.getName();
    this.enabled = pool.isLifecycleEvents();
  }

  /** No more events: the pool is stopping, and what its children do now was asked for. */
  void stop() {
    enabled = false;
  }

  @Override
  public void childStarted(String childId, long pid, HandlerKind kind, long startupMillis, long generation) {
    publish(ProcessEvents.CHILD_STARTED, childId, new JsonObject().put("pid", pid).put("kind", kind.wireName())
        .put("startupMillis", startupMillis).put("generation", generation));
  }

  @Override
  public void childExited(String childId, long pid, ChildExit exit) {
    publish(ProcessEvents.CHILD_EXITED, childId, new JsonObject().put("pid", pid).put("status", exit.status())
        .put("signal", exit.signal()).put("cause", exit.cause().name()).put("description", exit.description()));
  }

  @Override
  public void childRestarting(String childId, int attempt, long delayMillis) {
    publish(ProcessEvents.CHILD_RESTARTING, childId, new JsonObject().put("attempt", attempt)
        .put("delayMillis", delayMillis));
  }

  @Override
  public void childGaveUp(String childId, int restarts, String description) {
    publish(ProcessEvents.CHILD_GAVE_UP, childId, new JsonObject().put("failures", restarts)
        .put("description", description));
  }

  private void publish(String type, String childId, JsonObject body) {
    if (!enabled) {
      return;
    }
    body.put("pool", poolName).put("child", childId);
    bus.publish(Message.event(type, body)).onFailure(e ->
        LOG.log(System.Logger.Level.WARNING, "could not publish " + type + ": " + e.getMessage()));
  }
}
