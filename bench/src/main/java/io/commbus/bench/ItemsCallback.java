package io.commbus.bench;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;
import io.vertx.core.json.JsonObject;

/**
 * {@code commbus.bench.Items({"n": n})}: streams {@code n} small JSON items, as fast as the
 * child's credit lets them go and no faster, the way a producer of market data would.
 */
final class ItemsCallback implements CallbackHandler<JsonObject, JsonObject> {

  @Override
  public String module() {
    return "bench";
  }

  @Override
  public String typeName() {
    return "Items";
  }

  @Override
  public Class<JsonObject> requestType() {
    return JsonObject.class;
  }

  @Override
  public void handle(JsonObject request, StreamSink<JsonObject> sink) {
    produce(sink, request.getInteger("n"), 0);
  }

  // Writes until the sink is full, then continues from its drain handler: the consumer's
  // credit, not this loop, sets the pace.
  private void produce(StreamSink<JsonObject> sink, int n, int from) {
    int i = from;
    while (i < n && !sink.writeQueueFull() && !sink.isCancelled()) {
      sink.write(new JsonObject().put("i", i++));
    }
    if (sink.isCancelled()) {
      return;
    }
    if (i == n) {
      sink.end();
      return;
    }
    int next = i;
    sink.drainHandler(v -> produce(sink, n, next));
  }
}
