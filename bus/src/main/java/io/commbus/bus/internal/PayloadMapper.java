package io.commbus.bus.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;

import java.util.List;
import java.util.Map;

/**
 * Maps Java values to event-bus bodies and back. Bodies are only {@link JsonObject} or
 * {@link Buffer}, so a message needs no custom codec anywhere in a cluster. A value that is
 * not a JSON object travels wrapped as {@code {"value": ...}} with the {@link Wire#WRAPPED} header.
 * Starts from Vert.x's Jackson mapper, so modules registered on it before the bus is created
 * apply here too, and tolerates fields it does not know: a newer sender may add fields without
 * breaking older receivers. Internal, not API: public only so that the bus's own packages
 * share it.
 */
public final class PayloadMapper {

  private final ObjectMapper mapper = DatabindCodec.mapper().copy()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A body and whether it is a wrapped plain value. */
  public record Body(Object body, boolean wrapped) {

    /** Marks {@code delivery} as carrying a wrapped value, if this body is one. */
    public DeliveryOptions mark(DeliveryOptions delivery) {
      if (wrapped) {
        delivery.addHeader(Wire.WRAPPED, "1");
      }
      return delivery;
    }
  }

  /**
   * Whether a reply or stream item carries a wrapped plain value. Only a one-field object can
   * be one, so other bodies are answered without touching the headers, which the event bus
   * creates on first access.
   */
  public static boolean isWrapped(Message<Object> received) {
    Object body = received.body();
    return body instanceof JsonObject && ((JsonObject) body).size() == 1 && ((JsonObject) body).containsKey("value")
        && received.headers().contains(Wire.WRAPPED);
  }

  public Body encode(Object value) {
    if (value == null || value instanceof JsonObject || value instanceof Buffer) {
      return new Body(value, false);
    }
    if (value instanceof byte[]) {
      return new Body(Buffer.buffer((byte[]) value), false);
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean
        || value instanceof JsonArray) {
      return new Body(new JsonObject().put("value", value), true);
    }
    Object tree;
    try {
      tree = mapper.convertValue(value, Object.class);
    } catch (IllegalArgumentException e) {
      throw new CommBusException(ErrorCode.CODEC, "cannot encode " + value.getClass().getName() + ": "
          + e.getMessage(), e);
    }
    if (tree instanceof Map) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) tree;
      return new Body(new JsonObject(map), false);
    }
    if (tree instanceof List) {
      tree = new JsonArray((List<?>) tree);
    }
    return new Body(new JsonObject().put("value", tree), true);
  }

  /** The body as the caller's Java type. */
  @SuppressWarnings("unchecked")
  public <T> T decode(Object body, boolean wrapped, JavaType type) {
    Object value = wrapped ? unwrap(body) : body;
    if (value == null) {
      return null;
    }
    Class<?> raw = type.getRawClass();
    if (raw.isInstance(value)) {
      return (T) value;
    }
    if (value instanceof Buffer) {
      if (raw == byte[].class) {
        return (T) ((Buffer) value).getBytes();
      }
      throw new CommBusException(ErrorCode.CODEC, "received bytes where " + type + " was expected");
    }
    try {
      return mapper.convertValue(value, type);
    } catch (IllegalArgumentException e) {
      throw new CommBusException(ErrorCode.CODEC, "cannot decode " + type + ": " + e.getMessage(), e);
    }
  }

  /** The body for an untyped receiver: the object, the bytes, or the unwrapped plain value. */
  public Object decodeUntyped(Object body, boolean wrapped) {
    return wrapped ? unwrap(body) : body;
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  private static Object unwrap(Object body) {
    if (!(body instanceof JsonObject)) {
      throw new CommBusException(ErrorCode.CODEC, "a wrapped value must be a JSON object, was "
          + (body == null ? "null" : body.getClass().getSimpleName()));
    }
    return ((JsonObject) body).getValue("value");
  }
}
