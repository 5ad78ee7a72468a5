package io.commbus.node.hosts;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * {@code test.Ticker}: a callback on host 3 that streams a tick every 10 ms, up to 1000, for a
 * child on another host to iterate and leave early. It prints a line when the consumer cancels,
 * which the test waits for in the node's output: the sign that the cancel crossed the hosts.
 */
public class TickerCallback implements CallbackHandler<JsonObject, JsonObject> {

  /** What the node prints when a consumer cancels; the test matches it. */
  static final String CANCELLED = "ticker cancelled after ";
  private static final int MAX_TICKS = 1000;
  private static final long INTERVAL_MS = 10;

  @Override
  public String module() {
    return "test";
  }

  @Override
  public String typeName() {
    return "Ticker";
  }

  @Override
  public Class<JsonObject> requestType() {
    return JsonObject.class;
  }

  @Override
  public void handle(JsonObject request, StreamSink<JsonObject> sink) {
    // Invoked on a Vert.x context: the ticks are written there, one timer apart.
    Vertx vertx = Vertx.currentContext().owner();
    Context context = Vertx.currentContext();
    int[] written = {0};
    long timer = vertx.setPeriodic(INTERVAL_MS, id -> {
      if (sink.isCancelled()) {
        vertx.cancelTimer(id);
      } else if (written[0] == MAX_TICKS) {
        vertx.cancelTimer(id);
        sink.end();
      } else {
        sink.write(new JsonObject().put("tick", written[0]++));
      }
    });
    sink.cancelHandler(v -> context.runOnContext(w -> {
      vertx.cancelTimer(timer);
      System.out.println(CANCELLED + written[0] + " ticks");
    }));
  }
}
