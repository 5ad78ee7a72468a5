package io.commbus.bus.impl;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.Wire;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.Map;

/**
 * How a handler's outcome travels back to its caller: a value as the reply's body, an error
 * as a failure with {@link Wire#ERROR_REPLY_CODE} and the error's JSON, which
 * {@link ReplyFailures} turns back into the same error on the caller's side.
 */
final class Replies {

  private Replies() {
  }

  /** Replies with {@code result}: a Message's body and metadata, or any value the mapper encodes. */
  static void value(io.vertx.core.eventbus.Message<Object> raw, Object result, PayloadMapper payloads) {
    PayloadMapper.Body body;
    Map<String, String> metadata = Map.of();
    try {
      if (result instanceof Message) {
        Message reply = (Message) result;
        metadata = reply.metadata();
        body = new PayloadMapper.Body(reply.body(), false);
      } else {
        body = payloads.encode(result);
      }
    } catch (CommBusException e) {
      error(raw, e);
      return;
    }
    if (!body.wrapped() && metadata.isEmpty()) {
      raw.reply(body.body());
      return;
    }
    DeliveryOptions delivery = new DeliveryOptions();
    metadata.forEach((key, value) -> {
      if (!Wire.isReserved(key)) {
        delivery.addHeader(key, value);
      }
    });
    raw.reply(body.body(), body.mark(delivery));
  }

  static void error(io.vertx.core.eventbus.Message<Object> raw, CommBusException error) {
    raw.fail(Wire.ERROR_REPLY_CODE, error.toJson().encode());
  }
}
