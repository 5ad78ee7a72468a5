package io.commbus.bus.impl;

import io.vertx.core.MultiMap;

import java.util.HashMap;
import java.util.Map;

/**
 * A received message's headers, read in one pass: the bus's own fields, the trace context, and
 * the rest as metadata. Looking each header up by name costs a case-insensitive hash per read.
 */
final class ReceivedHeaders {

  Envelope envelope;
  String traceparent;
  String tracestate;
  boolean wrapped;
  String reply;
  String mode;
  String stream;
  String credit;
  String idle;
  long position;
  private Map<String, String> metadata;

  static ReceivedHeaders of(MultiMap headers) {
    ReceivedHeaders read = new ReceivedHeaders();
    if (headers.isEmpty()) {
      return read;
    }
    // forEach walks the entries in place; iterating the map would first copy them into a list.
    headers.forEach(read::accept);
    return read;
  }

  private void accept(String name, String value) {
    switch (name) {
      case Wire.ENVELOPE:
        envelope = Envelope.parse(value);
        break;
      case Wire.TRACEPARENT:
        traceparent = value;
        break;
      case Wire.TRACESTATE:
        tracestate = value;
        break;
      case Wire.WRAPPED:
        wrapped = true;
        break;
      case Wire.REPLY:
        reply = value;
        break;
      case Wire.MODE:
        mode = value;
        break;
      case Wire.STREAM:
        stream = value;
        break;
      case Wire.CREDIT:
        credit = value;
        break;
      case Wire.IDLE:
        idle = value;
        break;
      case Wire.POSITION:
        try {
          position = Long.parseLong(value);
        } catch (NumberFormatException e) {
          position = 0;
        }
        break;
      default:
        if (!Wire.isReserved(name)) {
          if (metadata == null) {
            metadata = new HashMap<>();
          }
          metadata.put(name, value);
        }
    }
  }

  /** Headers that are not the bus's own; never null. */
  Map<String, String> metadata() {
    return metadata == null ? Map.of() : metadata;
  }

  String id() {
    return envelope == null ? null : envelope.id;
  }
}
