package io.commbus.process.pool;

import io.commbus.process.child.ChildExit;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * How a slot's latest run ended unasked, for the admin API and the pool's health.
 *
 * @param exit         the end, with its typed cause
 * @param startFailure why the run never became ready (the child's own words, e.g. its import
 *                     error), or null when it was ready before it ended
 * @param at           when the end was noticed
 */
public record LastExit(ChildExit exit, String startFailure, Instant at) {

  /** What an operator needs first: why the start failed if it did, else how the child ended. */
  public String reason() {
    return startFailure != null ? startFailure : exit.description();
  }

  /** cause, status, description, startFailure (when there is one) and at. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("cause", exit.cause().name()).put("status", exit.status())
        .put("description", exit.description());
    if (startFailure != null) {
      json.put("startFailure", startFailure);
    }
    return json.put("at", at.toString());
  }
}
