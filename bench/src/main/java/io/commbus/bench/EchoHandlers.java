package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * A query handler on CommBus and a raw event-bus consumer that both answer at once with the
 * same reply, so a scenario compares the two request paths and nothing else.
 */
final class EchoHandlers {

  private final Loops loops;
  private final EventBus eventBus;
  private final CommBus bus;
  private final String type;
  private final String rawAddress;
  private final JsonObject body = Payloads.request();
  private final JsonObject reply = Payloads.reply();
  private MessageConsumer<JsonObject> rawConsumer;

  EchoHandlers(Vertx vertx, Loops loops, String type) {
    this.loops = loops;
    this.eventBus = vertx.eventBus();
    this.bus = CommBus.create(vertx);
    this.type = type;
    this.rawAddress = "bench.raw." + type;
  }

  /** Registers both handlers on the receiver event loop. */
  Future<Void> open() {
    return loops.onReceiver(() -> {
      rawConsumer = eventBus.consumer(rawAddress, query -> query.reply(reply));
      return Future.all(rawConsumer.completion(),
          bus.registerHandler(type, query -> Future.succeededFuture(reply))).mapEmpty();
    });
  }

  /** One query through CommBus. */
  Future<?> commbusQuery() {
    return bus.query(Message.query(type, body));
  }

  /** The same request on the raw event bus. */
  Future<?> rawRequest() {
    return eventBus.request(rawAddress, body);
  }

  Future<Void> close() {
    return Future.all(rawConsumer.unregister(), bus.close()).mapEmpty();
  }
}
