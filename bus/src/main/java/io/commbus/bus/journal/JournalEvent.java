package io.commbus.bus.journal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;

/**
 * An event to append: its id (for idempotent appends), type, time, headers and body. The body
 * is a {@link JsonObject}, a {@link Buffer} or null, as on the event bus.
 */
public final class JournalEvent {

  private final String id;
  private final String type;
  private final long timestampMillis;
  private final Map<String, String> headers;
  private final Object body;

  public JournalEvent(String id, String type, long timestampMillis, Map<String, String> headers, Object body) {
    this.id = Objects.requireNonNull(id, "id");
    this.type = Objects.requireNonNull(type, "type");
    this.timestampMillis = timestampMillis;
    this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    if (body != null && !(body instanceof JsonObject) && !(body instanceof Buffer)) {
      throw new IllegalArgumentException("a journal body is a JsonObject or a Buffer, not "
          + body.getClass().getName());
    }
    this.body = body;
  }

  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public long timestampMillis() {
    return timestampMillis;
  }

  /** The event-bus headers the event travelled with (envelope, trace context, metadata). */
  public Map<String, String> headers() {
    return headers;
  }

  /** A {@link JsonObject}, a {@link Buffer} or null. */
  public Object body() {
    return body;
  }
}
