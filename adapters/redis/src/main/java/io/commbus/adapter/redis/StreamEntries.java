package io.commbus.adapter.redis;

import io.commbus.bus.Message;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * How a bus event is written as a Redis stream entry, and read back: one place for the field
 * names. {@code id} (the event's, for the far side to drop a repeat), {@code type},
 * {@code position} (its journal position), and the body as {@code body} (JSON text) or
 * {@code bodyBase64} (bytes).
 */
final class StreamEntries {

  static final String ID = "id";
  static final String TYPE = "type";
  static final String POSITION = "position";
  static final String BODY = "body";
  static final String BODY_BASE64 = "bodyBase64";

  private StreamEntries() {
  }

  /** The field-value pairs of {@code event}'s entry, as XADD takes them after the stream and id. */
  static List<String> fields(Message event) {
    List<String> fields = new ArrayList<>(List.of(ID, event.id(), TYPE, event.type(), POSITION,
        Long.toString(event.position())));
    Object body = event.body();
    if (body instanceof Buffer bytes) {
      fields.add(BODY_BASE64);
      fields.add(Base64.getEncoder().encodeToString(bytes.getBytes()));
    } else if (body != null) {
      fields.add(BODY);
      fields.add(Json.encode(body));
    }
    return fields;
  }
}
