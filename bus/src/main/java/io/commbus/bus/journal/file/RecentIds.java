package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalRecord;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids of the last {@code dedupWindow} records and their positions, which make appends
 * idempotent. Only the writer thread uses it once the journal is open.
 */
final class RecentIds {

  private final LinkedHashMap<String, Long> ids;

  RecentIds(int window) {
    this.ids = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        return size() > window;
      }
    };
  }

  /**
   * Reads the ids of the newest {@code window} records back, so idempotency holds across
   * restarts. Damaged records have no ids to remember: the damage is the recovery report's.
   */
  static RecentIds readBack(JournalReader reader, Segments segments, int window) throws IOException {
    RecentIds recent = new RecentIds(window);
    long visible = segments.visible;
    if (window == 0 || visible == 0) {
      return recent;
    }
    long from = Math.max(segments.firstPosition(), visible - window + 1);
    while (from <= visible) {
      List<JournalRecord> records = reader.readPastDamage(from, 4096);
      if (records.isEmpty()) {
        break;
      }
      for (JournalRecord record : records) {
        recent.ids.put(record.event().id(), record.position());
      }
      from = records.get(records.size() - 1).position() + 1;
    }
    return recent;
  }

  /** The position stored for {@code id}, or null. */
  Long get(String id) {
    return ids.get(id);
  }

  void putAll(Map<String, Long> more) {
    ids.putAll(more);
  }
}
