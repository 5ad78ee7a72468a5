package io.commbus.node.cli;

import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.commbus.bus.journal.file.JournalStats;
import io.commbus.bus.journal.file.VerifyReport;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How {@code commbus journal} puts stats, records and verify results into a few lines of text. */
final class JournalText {

  /** Types listed by stats before the rest are summed up in one "more" note. */
  static final int TOP_TYPES = 10;

  /** ISO-8601 in UTC, always with milliseconds, so times line up from one line to the next. */
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private JournalText() {
  }

  static List<String> stats(Path dir, JournalStats stats) {
    List<String> lines = new ArrayList<>();
    lines.add("journal " + dir);
    lines.add("  segments   " + stats.segments() + " (" + String.format(Locale.ROOT, "%,d", stats.bytes())
        + " bytes)");
    lines.add("  positions  " + range(stats.firstPosition(), stats.lastPosition()) + " (" + stats.records()
        + " records)");
    lines.add("  time       " + (stats.oldest() == null ? "-"
        : TIME.format(stats.oldest()) + " .. " + TIME.format(stats.newest())));
    lines.add("  types      " + types(stats.types()));
    if (!stats.problems().isEmpty()) {
      lines.add("  problems   " + stats.problems().size() + ", damaged records not counted; see: commbus journal "
          + "verify --dir " + dir);
    }
    return lines;
  }

  private static String types(Map<String, Long> types) {
    if (types.isEmpty()) {
      return "-";
    }
    StringBuilder text = new StringBuilder();
    types.entrySet().stream().limit(TOP_TYPES).forEach(e -> text.append(text.length() == 0 ? "" : ", ")
        .append(e.getKey()).append(' ').append(e.getValue()));
    if (types.size() > TOP_TYPES) {
      long rest = types.values().stream().skip(TOP_TYPES).mapToLong(Long::longValue).sum();
      text.append(", and ").append(types.size() - TOP_TYPES).append(" more types with ").append(rest);
    }
    return text.toString();
  }

  /** One record on one line: position, type, id, time, headers (when any), body. */
  static String record(JournalRecord record) {
    JournalEvent event = record.event();
    StringBuilder line = new StringBuilder()
        .append('#').append(record.position())
        .append(' ').append(event.type())
        .append(" id=").append(event.id())
        .append(" at ").append(TIME.format(Instant.ofEpochMilli(event.timestampMillis())));
    if (!event.headers().isEmpty()) {
      // Sorted, so the same record always prints the same way.
      line.append(" headers=").append(new JsonObject(new TreeMap<String, Object>(event.headers())).encode());
    }
    Object body = event.body();
    line.append(" body=").append(body == null ? "none" : body instanceof JsonObject ? ((JsonObject) body).encode()
        : "<" + ((Buffer) body).length() + " bytes>");
    return line.toString();
  }

  /**
   * An event as a node's {@code /subscribe} gives it, in {@link #record}'s layout; its metadata
   * stands where a directory's record shows its headers.
   */
  static String event(JsonObject event) {
    StringBuilder line = new StringBuilder()
        .append('#').append(event.getLong("position"))
        .append(' ').append(event.getString("type"))
        .append(" id=").append(event.getString("id"));
    if (event.getString("timestamp") != null) {
      line.append(" at ").append(event.getString("timestamp"));
    }
    JsonObject metadata = event.getJsonObject("metadata", new JsonObject());
    if (!metadata.isEmpty()) {
      line.append(" metadata=").append(new JsonObject(new TreeMap<>(metadata.getMap())).encode());
    }
    Object body = event.getValue("body");
    String bytes = event.getString("bodyBase64");
    line.append(" body=").append(bytes != null ? "<" + java.util.Base64.getDecoder().decode(bytes).length + " bytes>"
        : body == null ? "none" : body instanceof JsonObject ? ((JsonObject) body).encode() : String.valueOf(body));
    return line.toString();
  }

  static String verifySummary(Path dir, VerifyReport report) {
    return "verify " + dir + ": " + report.segments() + " segments, " + report.validRecords() + " valid records"
        + (report.validRecords() == 0 ? "" : " (positions " + range(report.firstPosition(), report.lastPosition())
        + ")") + ", " + (report.clean() ? "no problems" : report.problems().size()
        + (report.problems().size() == 1 ? " problem" : " problems"));
  }

  private static String range(long first, long last) {
    return first == 0 ? "none" : first + ".." + last;
  }
}
