package io.commbus.bus.impl;

import io.commbus.bus.Category;
import io.commbus.bus.Message;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.MultiMap;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A received message's headers, read in one pass: the bus's own fields, the trace context, and
 * the rest as metadata. The one reader for both places headers come from: the event bus, for
 * live deliveries, and the journal, which stores the headers an event travelled with, for
 * replays. Looking each header up by name costs a case-insensitive hash per read, hence one pass.
 * Also the one place a received {@link Message} is built.
 */
final class ReceivedHeaders implements BiConsumer<String, String> {

  private String envelopeValue;
  private Envelope envelope;
  String traceparent;
  String tracestate;
  boolean wrapped;
  /** The caller accepts a streamed reply. */
  boolean streamMode;
  String stream;
  String credit;
  String idle;
  long position;
  private Map<String, String> metadata;

  private ReceivedHeaders() {
  }

  /** The headers of a live delivery. */
  static ReceivedHeaders of(MultiMap headers) {
    ReceivedHeaders read = new ReceivedHeaders();
    if (!headers.isEmpty()) {
      // forEach walks the entries in place; iterating the map would first copy them into a list.
      headers.forEach(read);
    }
    return read;
  }

  /** The headers a journaled event was stored with. */
  static ReceivedHeaders of(Map<String, String> headers) {
    ReceivedHeaders read = new ReceivedHeaders();
    headers.forEach(read);
    return read;
  }

  /** Reads one header; the readers above call it for each. */
  @Override
  public void accept(String name, String value) {
    switch (name) {
      case Wire.ENVELOPE:
        envelopeValue = value;
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
      case Wire.MODE:
        streamMode = Wire.MODE_STREAM.equals(value);
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

  /** The envelope, parsed on first use; null when absent or malformed. */
  Envelope envelope() {
    if (envelope == null && envelopeValue != null) {
      envelope = Envelope.parse(envelopeValue);
      envelopeValue = null;
    }
    return envelope;
  }

  /** Headers that are not the bus's own; never null. */
  Map<String, String> metadata() {
    return metadata == null ? Map.of() : metadata;
  }

  String id() {
    Envelope read = envelope();
    return read == null ? null : read.id;
  }

  /**
   * A live delivery as an untyped message: what its envelope says, or, from a sender outside
   * commbus that sent none, the type and category of the address it arrived at.
   */
  Message live(PayloadMapper payloads, Object body, String fallbackType, Category fallbackCategory) {
    Envelope read = envelope();
    Object value = payloads.decodeUntyped(body, wrapped);
    if (read == null) {
      return build(value, null, fallbackType, fallbackCategory, null, null, position, traceparent);
    }
    return build(value, read.id, read.type, read.category, Instant.ofEpochMilli(read.sentMillis),
        read.deadlineMillis > 0 ? Instant.ofEpochMilli(read.deadlineMillis) : null, position, traceparent);
  }

  /** A replayed event, as it was delivered live: the journal's record of it is the authority. */
  Message replayed(PayloadMapper payloads, JournalRecord record) {
    JournalEvent event = record.event();
    return build(payloads.decodeUntyped(event.body(), wrapped), event.id(), event.type(), Category.EVENT,
        Instant.ofEpochMilli(event.timestampMillis()), null, record.position(), traceparent);
  }

  /** A reply or a stream item, as an untyped message of the query's type. */
  Message reply(PayloadMapper payloads, Object body, String queryType) {
    return build(payloads.decodeUntyped(body, wrapped), null, queryType, Category.QUERY, null, null, 0, null);
  }

  private Message build(Object body, String id, String type, Category category, Instant sent, Instant deadline,
                        long atPosition, String trace) {
    return Message.received(id, type, category, body, metadata(), trace, deadline, sent, atPosition);
  }
}
