package io.commbus.process.pool;

import io.commbus.process.child.ChildProcess;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * One place in a pool: the child run that fills it now, how often runs in a row have failed,
 * and the timers of its restart policy. Runs come and go; the slot stays until it is retired.
 */
final class Slot {

  final int index;
  final String childId;
  long generation;
  ChildProcess child;
  int failures;
  boolean retired;
  boolean gaveUp;
  long restartTimer = -1;
  long stableTimer = -1;
  Future<HandlerKind> firstStart;

  Slot(int index, String poolName) {
    this.index = index;
    this.childId = poolName + "#" + index;
  }

  /** Whether the slot's child can take a request now, whatever its load. */
  boolean serving() {
    return !retired && child != null && child.acceptsRequests();
  }

  /** Whether the slot will never serve again. */
  boolean done() {
    return gaveUp || retired;
  }

  void cancelTimers(Vertx vertx) {
    if (restartTimer >= 0) {
      vertx.cancelTimer(restartTimer);
      restartTimer = -1;
    }
    if (stableTimer >= 0) {
      vertx.cancelTimer(stableTimer);
      stableTimer = -1;
    }
  }

  /** Id, state, pid, requests in flight, handler kind, startup time, failures and whether it gave up. */
  JsonObject describe() {
    JsonObject info = new JsonObject().put("id", childId);
    if (child != null) {
      info.put("state", child.state().name()).put("pid", child.pid()).put("inFlight", child.inFlight());
      if (child.handlerKind() != null) {
        info.put("kind", child.handlerKind().wireName());
      }
      if (child.startupMillis() >= 0) {
        info.put("startupMillis", child.startupMillis());
      }
    }
    return info.put("failures", failures).put("gaveUp", gaveUp);
  }
}
