package io.commbus.bus.impl;

import io.commbus.bus.Category;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.middleware.MiddlewareContext;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.eventbus.DeliveryOptions;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** One outbound call in flight: what it sends, and what middleware may see and change. */
final class Call {

  final String id;
  final long sentMillis = System.currentTimeMillis();
  final String type;
  final Category category;
  /** The message's own metadata until middleware runs; then the context's mutable map. */
  private Map<String, String> metadata;
  /** The message to send: the caller's, or what middleware replaced it with. */
  Object message;
  private MiddlewareContext context;

  private Call(String id, String type, Category category, Map<String, String> metadata, Object message) {
    this.id = id != null ? id : Ids.messageId();
    this.type = type;
    this.category = category;
    this.metadata = metadata;
    this.message = message;
  }

  /**
   * Describes {@code message} for {@code verb}. Fails with INVALID_MESSAGE when it is no message
   * (nothing says its type: see {@link MessageTypes.TypeInfo#message}) or is of another category
   * than the verb sends; a null message is the caller's mistake (IllegalArgumentException).
   */
  static Call of(Object message, Category verb, MessageTypes types) {
    if (message == null) {
      throw new IllegalArgumentException("cannot " + verb.verb() + " null");
    }
    if (message instanceof Message) {
      Message untyped = (Message) message;
      if (untyped.category() != verb) {
        throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verb.verb() + " a "
            + untyped.category().wireName() + " (" + untyped.type() + ")");
      }
      return new Call(untyped.id(), untyped.type(), verb, untyped.metadata(), message);
    }
    MessageTypes.TypeInfo info = types.of(message.getClass());
    if (!info.message) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verb.verb() + " a "
          + message.getClass().getTypeName() + ": it is not a message; " + verb.verb() + " a Message (Message."
          + verb.wireName() + "(type, body)), or an object whose class implements Event, Command or Query or is"
          + " annotated @MessageType(\"...\")");
    }
    if (info.category != null && info.category != verb) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verb.verb() + " " + info.name
          + ": it is a " + info.category.wireName());
    }
    return new Call(null, info.name, verb, Map.of(), message);
  }


  /** What middleware sees of this call; made on first use, so an empty chain costs nothing. */
  MiddlewareContext context() {
    if (context == null) {
      metadata = new HashMap<>(metadata);
      context = new MiddlewareContext(id, type, category, Instant.ofEpochMilli(sentMillis), metadata, message);
    }
    return context;
  }

  /**
   * Headers for the event bus; the body is encoded separately. Fails with INVALID_MESSAGE when
   * the metadata uses a name the bus reserves.
   */
  DeliveryOptions delivery(Tracing tracing, Span span, Duration timeout) {
    long deadline = 0;
    DeliveryOptions delivery = new DeliveryOptions();
    if (timeout != null) {
      delivery.setSendTimeout(timeout.toMillis());
      if (category == Category.QUERY) {
        deadline = sentMillis + timeout.toMillis();
      }
    }
    delivery.addHeader(Wire.ENVELOPE, new Envelope(category, id, sentMillis, deadline, type).format());
    if (!metadata.isEmpty()) {
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        if (Wire.isReserved(entry.getKey())) {
          throw new CommBusException(ErrorCode.INVALID_MESSAGE, "metadata key '" + entry.getKey()
              + "' is reserved (cb-*, traceparent, tracestate)");
        }
        delivery.addHeader(entry.getKey(), entry.getValue());
      }
    }
    tracing.inject(span, delivery);
    return delivery;
  }
}
