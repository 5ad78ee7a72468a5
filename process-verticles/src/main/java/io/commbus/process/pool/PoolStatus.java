package io.commbus.process.pool;

import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A pool's health and load at one moment, for whoever publishes them (a node's metrics and
 * health check, a coordinator service registration).
 *
 * @param name        the pool's name
 * @param type        the bus message type it answers
 * @param size        children it keeps, whatever their state
 * @param ready       children ready to take requests
 * @param inFlight    requests its ready children are serving
 * @param queued      requests waiting for a free child
 * @param restarts    child restarts since the pool started, slow retries of given-up children included
 * @param rejected    requests refused with OVERLOADED since the pool started
 * @param capacity    requests it serves at once when every child is ready: size × maxInFlight
 * @param handlerKind how its children answer, from the first that was ready; null before
 * @param givenUp     children given up, now tried only at the slow cadence
 * @param lastExit    how the latest unasked end of one of its children went; null if none has ended
 * @param nextRetryAt when the soonest planned restart or retry is due; null if none is planned
 */
public record PoolStatus(String name, String type, int size, int ready, int inFlight, int queued, long restarts,
                         long rejected, int capacity, HandlerKind handlerKind, int givenUp, LastExit lastExit,
                         Instant nextRetryAt) {

  /** How the pool as a whole stands. */
  public enum Health {
    /** At least one child can take a request. */
    UP,
    /** No child is ready, and some are still restarted under the backoff (or starting). */
    RESTARTING,
    /** Every child is given up: the pool answers UNAVAILABLE until a slow retry brings one back. */
    GIVEN_UP
  }

  /** Healthy while at least one child can take a request. */
  public boolean healthy() {
    return ready > 0;
  }

  /** UP, RESTARTING or GIVEN_UP. */
  public Health health() {
    if (healthy()) {
      return Health.UP;
    }
    return size > 0 && givenUp == size ? Health.GIVEN_UP : Health.RESTARTING;
  }

  /** Whether the pool answers with streams rather than single values; false before a child was ready. */
  public boolean streams() {
    return handlerKind != null && handlerKind.streams();
  }

  /**
   * The load figures as JSON: pool, type, size, ready, inFlight, queued, restarts, rejected,
   * givenUp, health; and nextRetryAt and lastExit ({@link LastExit#toJson()}) when there are.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("pool", name).put("type", type).put("size", size).put("ready", ready)
        .put("inFlight", inFlight).put("queued", queued).put("restarts", restarts).put("rejected", rejected)
        .put("givenUp", givenUp).put("health", health().name());
    if (nextRetryAt != null) {
      json.put("nextRetryAt", nextRetryAt.toString());
    }
    if (lastExit != null) {
      json.put("lastExit", lastExit.toJson());
    }
    return json;
  }
}
