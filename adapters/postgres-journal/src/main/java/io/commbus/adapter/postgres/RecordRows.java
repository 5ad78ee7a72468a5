package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns events into column values and rows back into records. */
final class RecordRows {

  /** body_kind values; stored, so never renumbered. */
  static final short BODY_NONE = 0;
  static final short BODY_JSON = 1;
  static final short BODY_BYTES = 2;

  /** The columns read back, in the order {@link #record} expects. */
  static final String COLUMNS = "position, event_id, type, ts, headers, body_kind, body";

  private RecordRows() {
  }

  /**
   * Refuses what PostgreSQL cannot store before it joins a batch: TEXT and JSONB reject the NUL
   * character, and one such event would otherwise fail every append sharing its transaction.
   */
  static void check(JournalEvent event) {
    if (hasNul(event.id()) || hasNul(event.type())) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "a journal event id or type must not contain NUL");
    }
    for (Map.Entry<String, String> header : event.headers().entrySet()) {
      if (hasNul(header.getKey()) || hasNul(header.getValue())) {
        throw new CommBusException(ErrorCode.INVALID_MESSAGE, "journal header " + header.getKey().replace('\0', '?')
            + " contains NUL, which PostgreSQL JSONB cannot store");
      }
    }
  }

  private static boolean hasNul(String s) {
    return s != null && s.indexOf('\0') >= 0;
  }

  /** The events as the array parameters of one multi-row INSERT ... SELECT FROM unnest(...). */
  static Object[] columns(List<JournalEvent> events, long firstPosition) {
    int n = events.size();
    Long[] positions = new Long[n];
    String[] ids = new String[n];
    String[] types = new String[n];
    Long[] times = new Long[n];
    JsonObject[] headers = new JsonObject[n];
    Short[] kinds = new Short[n];
    Buffer[] bodies = new Buffer[n];
    for (int i = 0; i < n; i++) {
      JournalEvent event = events.get(i);
      positions[i] = firstPosition + i;
      ids[i] = event.id();
      types[i] = event.type();
      times[i] = event.timestampMillis();
      headers[i] = new JsonObject(new HashMap<>(event.headers()));
      Object body = event.body();
      if (body instanceof JsonObject) {
        // Stored as the JSON text's bytes, not JSONB, so the body comes back exactly as given
        // (JSONB would reorder keys and drop duplicates).
        kinds[i] = BODY_JSON;
        bodies[i] = ((JsonObject) body).toBuffer();
      } else if (body instanceof Buffer) {
        kinds[i] = BODY_BYTES;
        bodies[i] = (Buffer) body;
      } else {
        kinds[i] = BODY_NONE;
        bodies[i] = null;
      }
    }
    return new Object[] {positions, ids, types, times, headers, kinds, bodies};
  }

  /** A row selected with {@link #COLUMNS}. */
  static JournalRecord record(Row row) {
    Map<String, String> headers = new HashMap<>();
    JsonObject json = row.getJsonObject(4);
    if (json != null) {
      json.forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    }
    short kind = row.getShort(5);
    Buffer stored = row.getBuffer(6);
    Object body;
    switch (kind) {
      case BODY_NONE:
        body = null;
        break;
      case BODY_JSON:
        body = new JsonObject(stored);
        break;
      case BODY_BYTES:
        body = stored;
        break;
      default:
        throw new CommBusException(ErrorCode.STORAGE, "journal record " + row.getLong(0) + " has unknown body_kind "
            + kind);
    }
    JournalEvent event = new JournalEvent(row.getString(1), row.getString(2), row.getLong(3), headers, body);
    return new JournalRecord(row.getLong(0), event);
  }
}
