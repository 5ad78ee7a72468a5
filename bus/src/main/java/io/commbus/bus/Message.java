package io.commbus.bus;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An untyped message: a type name, a category, a body and metadata. Polyglot callers and
 * handlers use it; typed Java messages become one of these on the wire.
 *
 * <p>The body is a {@link JsonObject} or a {@link Buffer} (raw bytes cross without encoding);
 * a reply may also carry a plain JSON value (string, number, array). Instances are
 * immutable: the {@code with...} methods return copies.
 */
public final class Message {

  private final String id;
  private final String type;
  private final Category category;
  private final Object body;
  private final Map<String, String> metadata;
  private final String traceparent;
  private final Instant deadline;
  private final Instant timestamp;
  private final long position;

  private Message(String id, String type, Category category, Object body, Map<String, String> metadata,
                  String traceparent, Instant deadline, Instant timestamp, long position) {
    this.id = id;
    this.type = Objects.requireNonNull(type, "type");
    this.category = Objects.requireNonNull(category, "category");
    this.body = body;
    this.metadata = metadata;
    this.traceparent = traceparent;
    this.deadline = deadline;
    this.timestamp = timestamp;
    this.position = position;
  }

  /** An event with a JSON body. */
  public static Message event(String type, JsonObject body) {
    return of(Category.EVENT, type, body);
  }

  /** A command with a JSON body. */
  public static Message command(String type, JsonObject body) {
    return of(Category.COMMAND, type, body);
  }

  /** A query with a JSON body. */
  public static Message query(String type, JsonObject body) {
    return of(Category.QUERY, type, body);
  }

  /** A message of any category whose body is a {@link JsonObject}, a {@link Buffer} or null. */
  public static Message of(Category category, String type, Object body) {
    if (type == null || type.isBlank()) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "a message needs a non-blank type");
    }
    if (body != null && !(body instanceof JsonObject) && !(body instanceof Buffer)) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE,
          "a message body is a JsonObject or a Buffer, not " + body.getClass().getName());
    }
    return new Message(null, type, category, body, Map.of(), null, null, null, 0);
  }

  /** Builds a received message; used by the bus. */
  public static Message received(String id, String type, Category category, Object body, Map<String, String> metadata,
                                 String traceparent, Instant deadline, Instant timestamp, long position) {
    return new Message(id, type, category, body, Collections.unmodifiableMap(metadata), traceparent, deadline,
        timestamp, position);
  }

  /**
   * A copy with a chosen id instead of a generated one. Publishing two events with the same id
   * to a journaled bus stores and delivers the first only: use it to make retries idempotent.
   */
  public Message withId(String newId) {
    if (newId == null || newId.isBlank()) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "a message id must not be blank");
    }
    return new Message(newId, type, category, body, metadata, traceparent, deadline, timestamp, position);
  }

  /** A copy with one more metadata entry, which travels as a header. */
  public Message withMetadata(String key, String value) {
    Map<String, String> copy = new LinkedHashMap<>(metadata);
    copy.put(key, value);
    return new Message(id, type, category, body, Collections.unmodifiableMap(copy), traceparent, deadline, timestamp,
        position);
  }

  /** A copy with another body. */
  public Message withBody(Object newBody) {
    Message checked = of(category, type, newBody);
    return new Message(id, type, category, checked.body, metadata, traceparent, deadline, timestamp, position);
  }

  /** The journal position of a received event; 0 when it was not journaled. */
  public long position() {
    return position;
  }

  /** The unique id; null until the message is sent, unless set with {@link #withId}. */
  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public Category category() {
    return category;
  }

  /** The body: a {@link JsonObject}, a {@link Buffer}, a plain JSON value, or null. */
  public Object body() {
    return body;
  }

  /** The body as a {@link JsonObject}; fails with CODEC if it is something else. */
  public JsonObject json() {
    if (body == null || body instanceof JsonObject) {
      return (JsonObject) body;
    }
    throw new CommBusException(ErrorCode.CODEC, "body of " + type + " is " + body.getClass().getSimpleName()
        + ", not a JSON object");
  }

  /** The body as bytes; fails with CODEC if it is not a {@link Buffer}. */
  public Buffer buffer() {
    if (body == null || body instanceof Buffer) {
      return (Buffer) body;
    }
    throw new CommBusException(ErrorCode.CODEC, "body of " + type + " is " + body.getClass().getSimpleName()
        + ", not bytes");
  }

  /** The JSON body mapped onto a Java type with Vert.x's Jackson mapper. */
  public <T> T bodyAs(Class<T> javaType) {
    try {
      return DatabindCodec.mapper().convertValue(body, javaType);
    } catch (IllegalArgumentException e) {
      throw new CommBusException(ErrorCode.CODEC, "cannot read " + type + " as " + javaType.getName() + ": "
          + e.getMessage(), e);
    }
  }

  /** Metadata headers (never null). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The W3C traceparent it travelled with; null until sent. */
  public String traceparent() {
    return traceparent;
  }

  /** When the sender stops waiting for the reply; null when it has no deadline. */
  public Instant deadline() {
    return deadline;
  }

  /** When it was sent; null until sent. */
  public Instant timestamp() {
    return timestamp;
  }

  @Override
  public String toString() {
    return category.wireName() + " " + type + (id == null ? "" : " #" + id);
  }
}
