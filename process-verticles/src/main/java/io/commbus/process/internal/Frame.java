package io.commbus.process.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One frame of the child protocol: a JSON header and an optional body (see docs/protocol.md).
 * The body stays a {@link Buffer} until someone asks for it, so raw bytes are never copied
 * and JSON is parsed only by the side that needs the value.
 */
public final class Frame {

  public static final String JSON = "j";
  public static final String RAW = "r";

  private final JsonObject header;
  private final Buffer body;

  public Frame(JsonObject header, Buffer body) {
    this.header = header;
    this.body = body;
  }

  /** A frame without a body. */
  public static Frame of(String kind) {
    return new Frame(new JsonObject().put("t", kind), null);
  }

  /** A frame of {@code kind} for exchange {@code id} without a body. */
  public static Frame of(String kind, long id) {
    return new Frame(new JsonObject().put("t", kind).put("id", id), null);
  }

  /**
   * Attaches a value as the body: a {@link Buffer} travels raw, null means no body, and
   * anything else is encoded as JSON.
   */
  public static Frame withValue(JsonObject header, Object value) {
    if (value == null) {
      return new Frame(header, null);
    }
    if (value instanceof Buffer) {
      header.put("b", RAW);
      return new Frame(header, (Buffer) value);
    }
    header.put("b", JSON);
    return new Frame(header, Json.encodeToBuffer(value));
  }

  public JsonObject header() {
    return header;
  }

  public String kind() {
    return header.getString("t");
  }

  public long id() {
    Number id = header.getNumber("id");
    return id == null ? -1 : id.longValue();
  }

  public Buffer body() {
    return body;
  }

  /** The body as a value: JSON decoded (object, array, string, number, boolean), raw as a Buffer, or null. */
  public Object value() {
    if (body == null) {
      return null;
    }
    if (RAW.equals(header.getString("b"))) {
      return body;
    }
    return Json.decodeValue(body);
  }

  @Override
  public String toString() {
    return header.encode() + (body == null ? "" : " +" + body.length() + " bytes");
  }
}
