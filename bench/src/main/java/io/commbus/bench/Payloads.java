package io.commbus.bench;

import io.vertx.core.json.JsonObject;

/**
 * The bodies every contender sends, built fresh per scenario rather than held in a static
 * field, since a JsonObject is mutable. A handful of fields, like a typical command or event.
 */
final class Payloads {

  private Payloads() {
  }

  static JsonObject request() {
    return new JsonObject()
        .put("orderId", "o-20240611-0042")
        .put("symbol", "ACME")
        .put("side", "BUY")
        .put("quantity", 10)
        .put("price", 101.25);
  }

  static JsonObject reply() {
    return new JsonObject()
        .put("symbol", "ACME")
        .put("bid", 101.20)
        .put("ask", 101.30);
  }
}
