package io.commbus.node.admin;

import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /journal?from=&type=&limit=}: a page of journaled events read with the journal's own
 * read API, in position order. {@code next} is where the following page starts, so a client
 * pages with {@code from=next} until {@code events} comes back empty.
 */
final class JournalBrowser {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  /** A query string that cannot be read; the message names the parameter. */
  static final class BadQuery extends RuntimeException {
    BadQuery(String message) {
      super(message);
    }
  }

  private final EventJournal journal;

  JournalBrowser(EventJournal journal) {
    this.journal = journal;
  }

  Future<JsonObject> page(MultiMap params) {
    long from = number(params, "from", 1, Long.MAX_VALUE, 1);
    int limit = (int) number(params, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    Set<String> types = new LinkedHashSet<>();
    for (String value : params.getAll("type")) {
      for (String type : value.split(",")) {
        if (!type.isBlank()) {
          types.add(type.trim());
        }
      }
    }
    return journal.read(from, limit, types).map(records -> render(from, limit, types, records));
  }

  private static long number(MultiMap params, String name, long min, long max, long fallback) {
    String text = params.get(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below, like a number out of range
    }
    throw new BadQuery(name + ": must be a whole number from " + min + " to " + max + ", was \"" + text + "\"");
  }

  private static JsonObject render(long from, int limit, Set<String> types, List<JournalRecord> records) {
    JsonArray events = new JsonArray();
    for (JournalRecord record : records) {
      events.add(event(record));
    }
    long next = records.isEmpty() ? from : records.get(records.size() - 1).position() + 1;
    return new JsonObject().put("from", from).put("limit", limit).put("types", new JsonArray(List.copyOf(types)))
        .put("events", events).put("next", next);
  }

  private static JsonObject event(JournalRecord record) {
    JournalEvent event = record.event();
    JsonObject headers = new JsonObject();
    new TreeMap<>(event.headers()).forEach(headers::put);
    JsonObject json = new JsonObject()
        .put("position", record.position())
        .put("id", event.id())
        .put("type", event.type())
        .put("timestamp", Instant.ofEpochMilli(event.timestampMillis()).toString())
        .put("headers", headers);
    Object body = event.body();
    if (body instanceof Buffer) {
      // JSON cannot carry bytes; base64 keeps them exact.
      json.put("bodyBase64", Base64.getEncoder().encodeToString(((Buffer) body).getBytes()));
    } else {
      json.put("body", body);
    }
    return json;
  }
}
