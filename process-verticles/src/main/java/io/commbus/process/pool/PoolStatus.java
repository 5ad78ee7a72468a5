package io.commbus.process.pool;

import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.json.JsonObject;

/**
 * A pool's health and load at one moment, for whoever publishes them (a node's metrics, a
 * coordinator service registration).
 *
 * @param name        the pool's name
 * @param type        the bus message type it answers
 * @param size        children it keeps, whatever their state
 * @param ready       children ready to take requests
 * @param inFlight    requests its ready children are serving
 * @param queued      requests waiting for a free child
 * @param restarts    child restarts since the pool started
 * @param rejected    requests refused with OVERLOADED since the pool started
 * @param capacity    requests it serves at once when every child is ready: size × maxInFlight
 * @param handlerKind how its children answer, from the first that was ready; null before
 */
public record PoolStatus(String name, String type, int size, int ready, int inFlight, int queued, long restarts,
                         long rejected, int capacity, HandlerKind handlerKind) {

  /** Healthy while at least one child can take a request. */
  public boolean healthy() {
    return ready > 0;
  }

  /** Whether the pool answers with streams rather than single values; false before a child was ready. */
  public boolean streams() {
    return handlerKind != null && handlerKind.streams();
  }

  /** The load figures as JSON: pool, type, size, ready, inFlight, queued, restarts, rejected. */
  public JsonObject toJson() {
    return new JsonObject().put("pool", name).put("type", type).put("size", size).put("ready", ready)
        .put("inFlight", inFlight).put("queued", queued).put("restarts", restarts).put("rejected", rejected);
  }
}
