package io.commbus.process.wire;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads header fields of a received frame. A field that is required and missing, or present
 * with the wrong JSON type, is a {@link ProtocolViolation} naming the frame and the field
 * ({@code frame 'credit' needs integer field 'n'}); nothing here throws anything else.
 */
public final class Headers {

  private Headers() {
  }

  /** An integer field that must be present. */
  public static long requireLong(Frame frame, String key) {
    Object value = frame.header().getValue(key);
    if (!isInteger(value)) {
      throw violation(frame, "integer", key, value);
    }
    return ((Number) value).longValue();
  }

  /** An integer field that must be present and at least 1. */
  public static long requirePositiveLong(Frame frame, String key) {
    long value = requireLong(frame, key);
    if (value <= 0) {
      throw violation(frame, "positive integer", key, value);
    }
    return value;
  }

  /** An integer field that must be present, at least 1 and fit an int. */
  public static int requirePositiveInt(Frame frame, String key) {
    long value = requirePositiveLong(frame, key);
    if (value > Integer.MAX_VALUE) {
      throw violation(frame, "positive 32-bit integer", key, value);
    }
    return (int) value;
  }

  /** An optional integer field; {@code fallback} when absent. */
  public static long optionalLong(Frame frame, String key, long fallback) {
    return frame.header().getValue(key) == null ? fallback : requireLong(frame, key);
  }

  /** An optional positive integer field that fits an int; {@code fallback} when absent. */
  public static int optionalPositiveInt(Frame frame, String key, int fallback) {
    return frame.header().getValue(key) == null ? fallback : requirePositiveInt(frame, key);
  }

  /** A string field that must be present. */
  public static String requireString(Frame frame, String key) {
    Object value = frame.header().getValue(key);
    if (!(value instanceof String)) {
      throw violation(frame, "string", key, value);
    }
    return (String) value;
  }

  /** A string field that must be present and not blank. */
  public static String requireNonBlank(Frame frame, String key) {
    String value = requireString(frame, key);
    if (value.isBlank()) {
      throw violation(frame, "non-blank string", key, value);
    }
    return value;
  }

  /** An optional string field; null when absent. */
  public static String optionalString(Frame frame, String key) {
    return frame.header().getValue(key) == null ? null : requireString(frame, key);
  }

  /** An optional list of non-blank strings; empty when absent. */
  public static Set<String> optionalNonBlankStrings(Frame frame, String key) {
    Object value = frame.header().getValue(key);
    if (value == null) {
      return Set.of();
    }
    Set<String> strings = new LinkedHashSet<>();
    if (value instanceof JsonArray) {
      for (Object item : (JsonArray) value) {
        if (!(item instanceof String) || ((String) item).isBlank()) {
          throw violation(frame, "list of non-blank strings", key, value);
        }
        strings.add((String) item);
      }
      return strings;
    }
    throw violation(frame, "list of non-blank strings", key, value);
  }

  /** JSON integers decode as Integer, Long or BigInteger; BigInteger does not fit a long here. */
  private static boolean isInteger(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte;
  }

  private static ProtocolViolation violation(Frame frame, String type, String key, Object value) {
    return new ProtocolViolation("frame '" + frame.kind().wireName() + "' needs " + type + " field '" + key + "'"
        + (value == null ? "" : ", got " + Json.encode(value)));
  }
}
