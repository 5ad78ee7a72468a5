package io.commbus.process.pool;

import io.commbus.process.child.ChildProcess;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * One place in a pool: the child run that fills it now, how often runs in a row have failed,
 * how the last one ended, and the timers of its restart policy. Runs come and go; the slot
 * stays until it is retired.
 */
final class Slot {

  final int index;
  final String childId;
  long generation;
  ChildProcess child;
  int failures;
  boolean retired;
  boolean gaveUp;
  long restarts;
  LastExit lastExit;
  /** When the pending restart timer fires; null when none is pending. */
  Instant restartAt;
  long restartTimer = -1;
  long stableTimer = -1;
  Future<HandlerKind> firstStart;
  /** The start of the current run: failed when the run ended before it was ready. */
  Future<HandlerKind> run;

  Slot(int index, String poolName) {
    this.index = index;
    this.childId = poolName + "#" + index;
  }

  /** Whether the slot's child can take a request now, whatever its load. */
  boolean serving() {
    return !retired && child != null && child.acceptsRequests();
  }

  /** Whether the slot serves nothing until a slow retry, if ever: given up or retired. */
  boolean done() {
    return gaveUp || retired;
  }

  /** Where it stands in its restart policy. */
  Supervision supervision() {
    if (gaveUp) {
      return Supervision.GIVEN_UP;
    }
    return failures > 0 && !serving() ? Supervision.RESTARTING : Supervision.RUNNING;
  }

  void cancelTimers(Vertx vertx) {
    if (restartTimer >= 0) {
      vertx.cancelTimer(restartTimer);
      restartTimer = -1;
      restartAt = null;
    }
    if (stableTimer >= 0) {
      vertx.cancelTimer(stableTimer);
      stableTimer = -1;
    }
  }

  /**
   * Id, state, pid, requests in flight, handler kind, startup time, failures, whether it gave up,
   * its supervision, restarts, the next restart's time and how its last run ended unasked.
   */
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
    info.put("failures", failures).put("gaveUp", gaveUp).put("supervision", supervision().name())
        .put("restarts", restarts);
    if (restartAt != null) {
      info.put("nextRetryAt", restartAt.toString());
    }
    if (lastExit != null) {
      info.put("lastExit", lastExit.toJson());
    }
    return info;
  }
}
