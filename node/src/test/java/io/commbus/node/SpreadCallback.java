package io.commbus.node;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;
import io.vertx.core.json.JsonObject;

/** A callback handler the test configurations name by class, as a user's would be. */
public class SpreadCallback implements CallbackHandler<JsonObject, JsonObject> {

  @Override
  public String module() {
    return "test";
  }

  @Override
  public String typeName() {
    return "Spread";
  }

  @Override
  public Class<JsonObject> requestType() {
    return JsonObject.class;
  }

  @Override
  public void handle(JsonObject request, StreamSink<JsonObject> sink) {
    sink.write(new JsonObject().put("symbol", request.getString("symbol")).put("spread", 0.5));
    sink.end();
  }
}
