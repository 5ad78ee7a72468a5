package io.commbus.process.wire;

import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One frame of the child protocol: its kind, a JSON header and an optional body (see
 * docs/protocol.md). The body stays a {@link Buffer} until someone asks for it, so raw bytes
 * are never copied and JSON is parsed only by the side that needs the value. Header fields are
 * read through {@link Headers}, which names a missing or mistyped field.
 */
public final class Frame {

  private final FrameKind kind;
  private final JsonObject header;
  private final Buffer body;

  /** A frame whose {@code header} already holds {@code kind} under {@link Protocol#KIND}. */
  public Frame(FrameKind kind, JsonObject header, Buffer body) {
    this.kind = kind;
    this.header = header;
    this.body = body;
  }

  /** A new header for a frame of {@code kind}. */
  public static JsonObject header(FrameKind kind) {
    return new JsonObject().put(Protocol.KIND, kind.wireName());
  }

  /** A new header for a frame of {@code kind} in exchange {@code id}. */
  public static JsonObject header(FrameKind kind, long id) {
    return header(kind).put(Protocol.ID, id);
  }

  /** A frame without a body. */
  public static Frame of(JsonObject header) {
    return new Frame(kindOf(header), header, null);
  }

  /** A frame of {@code kind} without a body; {@code header} holds that kind already. */
  public static Frame of(FrameKind kind, JsonObject header) {
    return new Frame(kind, header, null);
  }

  /** A frame of {@code kind} for exchange {@code id} without a body. */
  public static Frame of(FrameKind kind, long id) {
    return new Frame(kind, header(kind, id), null);
  }

  /**
   * A frame with a value as its body: a {@link Buffer} travels raw, null means no body, and
   * anything else is encoded as JSON.
   */
  public static Frame withValue(JsonObject header, Object value) {
    return withValue(kindOf(header), header, value);
  }

  /** A frame of {@code kind} in exchange {@code id} with a value as its body, as {@link #withValue(JsonObject, Object)}. */
  public static Frame withValue(FrameKind kind, long id, Object value) {
    return withValue(kind, header(kind, id), value);
  }

  /**
   * A frame of {@code kind} with a value as its body, as {@link #withValue(JsonObject, Object)};
   * {@code header} holds that kind already, so it is not looked up again, per frame, on the paths
   * that write items and replies.
   */
  public static Frame withValue(FrameKind kind, JsonObject header, Object value) {
    if (value == null) {
      return new Frame(kind, header, null);
    }
    if (value instanceof Buffer) {
      header.put(Protocol.BODY, Protocol.BODY_RAW);
      return new Frame(kind, header, (Buffer) value);
    }
    header.put(Protocol.BODY, Protocol.BODY_JSON);
    return new Frame(kind, header, Json.encodeToBuffer(value));
  }

  private static FrameKind kindOf(JsonObject header) {
    FrameKind kind = FrameKind.fromWireName(header.getString(Protocol.KIND));
    if (kind == null) {
      throw new IllegalArgumentException("a frame header needs a known kind: " + header.encode());
    }
    return kind;
  }

  public FrameKind kind() {
    return kind;
  }

  public JsonObject header() {
    return header;
  }

  public Buffer body() {
    return body;
  }

  /**
   * The body as a value: JSON decoded (object, array, string, number, boolean), raw as a
   * Buffer, or null. A JSON body that does not parse is the sender's protocol violation.
   */
  public Object value() {
    if (body == null) {
      return null;
    }
    if (Protocol.BODY_RAW.equals(header.getValue(Protocol.BODY))) {
      return body;
    }
    try {
      return Json.decodeValue(body);
    } catch (io.vertx.core.json.DecodeException e) {
      throw new ProtocolViolation("frame '" + kind.wireName() + "' has a body that is not valid JSON: "
          + e.getMessage());
    }
  }

  @Override
  public String toString() {
    return header.encode() + (body == null ? "" : " +" + body.length() + " bytes");
  }
}
