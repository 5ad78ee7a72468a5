package io.commbus.bus;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Failures seen on this bus's side: subscribers and handlers that threw or failed. */
public final class BusStats {

  private final Map<String, LongAdder> subscriberFailures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> handlerFailures = new ConcurrentHashMap<>();

  /** Counts a failed subscriber of {@code type}. */
  public void subscriberFailed(String type) {
    subscriberFailures.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  /** Counts a failed handler of {@code type}. */
  public void handlerFailed(String type) {
    handlerFailures.computeIfAbsent(type, t -> new LongAdder()).increment();
  }

  public long subscriberFailures(String type) {
    LongAdder count = subscriberFailures.get(type);
    return count == null ? 0 : count.sum();
  }

  public long handlerFailures(String type) {
    LongAdder count = handlerFailures.get(type);
    return count == null ? 0 : count.sum();
  }

  /** {@code {"subscriberFailures": {type: n}, "handlerFailures": {type: n}}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("subscriberFailures", counts(subscriberFailures))
        .put("handlerFailures", counts(handlerFailures));
  }

  private static JsonObject counts(Map<String, LongAdder> counts) {
    JsonObject json = new JsonObject();
    new TreeMap<>(counts).forEach((type, count) -> json.put(type, count.sum()));
    return json;
  }
}
