package io.commbus.bench;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;
import io.vertx.core.json.JsonObject;

/** {@code commbus.bench.One({"i": i})}: answers with one small item, the shortest callback round trip. */
final class OneItemCallback implements CallbackHandler<JsonObject, JsonObject> {

  @Override
  public String module() {
    return "bench";
  }

  @Override
  public String typeName() {
    return "One";
  }

  @Override
  public Class<JsonObject> requestType() {
    return JsonObject.class;
  }

  @Override
  public void handle(JsonObject request, StreamSink<JsonObject> sink) {
    sink.write(new JsonObject().put("i", request.getInteger("i")));
    sink.end();
  }
}
