package io.commbus.adapter.postgres;

import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.JournalEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores a group of appends in one transaction (group commit) and works out each one's
 * {@link Appended}. The steps, and why positions stay dense across nodes:
 *
 * <ol>
 *   <li>{@code SELECT last FROM head FOR UPDATE}: every appender, on every node, queues on this
 *       one row lock, so at most one transaction at a time is between taking positions and
 *       committing. The lock is released only after the commit is visible, so transactions
 *       commit in position order and every snapshot sees a gap-free prefix.</li>
 *   <li>Look up the batch's event ids. Taken after the lock, under READ COMMITTED this
 *       statement's snapshot includes every earlier appender's commit, and no later one can be
 *       inserting, so a duplicate is found here rather than by a failed INSERT.</li>
 *   <li>One multi-row INSERT of the new events at {@code last+1 ..}; duplicates take no
 *       position.</li>
 *   <li>Move the head and {@code pg_notify} the new last position; PostgreSQL delivers the
 *       notification only if and when the transaction commits.</li>
 * </ol>
 *
 * A failed transaction rolls back whole, head included, so no position is ever lost to it.
 */
final class AppendBatch {

  private final Pool pool;
  private final JournalSchema schema;
  private final String lockHead;
  private final String findIds;
  private final String insert;
  private final String moveHead;

  AppendBatch(Pool pool, JournalSchema schema) {
    this.pool = pool;
    this.schema = schema;
    this.lockHead = "SELECT last FROM " + schema.head + " WHERE single FOR UPDATE";
    this.findIds = "SELECT event_id, position FROM " + schema.records + " WHERE event_id = ANY($1)";
    this.insert = "INSERT INTO " + schema.records + " (" + RecordRows.COLUMNS + ") SELECT * FROM unnest("
        + "$1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::jsonb[], $6::smallint[], $7::bytea[])";
    this.moveHead = "UPDATE " + schema.head + " SET last = last + $1 WHERE single RETURNING last";
  }

  /**
   * Appends {@code events} in order; the result lists each one's outcome. An event id that
   * appears twice in the batch is stored once, the later one acknowledged as a duplicate.
   */
  Future<List<Appended>> append(List<JournalEvent> events) {
    return pool.withTransaction(conn -> conn
        // Explicit, because a server default of REPEATABLE READ would fix the snapshot before
        // the lock wait and make step 2 blind to the appender it waited for.
        .query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").execute()
        .compose(v -> conn.query(lockHead).execute())
        .compose(head -> {
          long last = head.iterator().next().getLong(0);
          return store(conn, events, last);
        }));
  }

  private Future<List<Appended>> store(SqlConnection conn, List<JournalEvent> events, long last) {
    Map<String, JournalEvent> unique = new LinkedHashMap<>();
    for (JournalEvent event : events) {
      unique.putIfAbsent(event.id(), event);
    }
    String[] ids = unique.keySet().toArray(new String[0]);
    return conn.preparedQuery(findIds).execute(Tuple.tuple().addArrayOfString(ids)).compose(found -> {
      Map<String, Long> stored = new HashMap<>();
      for (Row row : found) {
        stored.put(row.getString(0), row.getLong(1));
      }
      List<JournalEvent> fresh = new ArrayList<>();
      Map<String, Long> assigned = new HashMap<>();
      for (JournalEvent event : unique.values()) {
        if (!stored.containsKey(event.id())) {
          assigned.put(event.id(), last + 1 + fresh.size());
          fresh.add(event);
        }
      }
      List<Appended> outcomes = outcomes(events, stored, assigned);
      if (fresh.isEmpty()) {
        return Future.succeededFuture(outcomes);
      }
      long newLast = last + fresh.size();
      return conn.preparedQuery(insert).execute(Tuple.from(RecordRows.columns(fresh, last + 1)))
          .compose(v -> conn.preparedQuery(moveHead).execute(Tuple.of((long) fresh.size())))
          .compose(moved -> {
            long head = moved.iterator().next().getLong(0);
            if (head != newLast) {
              // Cannot happen while the row lock is held; refuse to commit if it somehow did.
              return Future.failedFuture(new IllegalStateException("journal head moved to " + head + " where "
                  + newLast + " was expected"));
            }
            return conn.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(schema.channel,
                Long.toString(newLast)));
          })
          .map(outcomes);
    });
  }

  private static List<Appended> outcomes(List<JournalEvent> events, Map<String, Long> stored,
      Map<String, Long> assigned) {
    List<Appended> outcomes = new ArrayList<>(events.size());
    Map<String, Boolean> seen = new HashMap<>();
    for (JournalEvent event : events) {
      Long original = stored.get(event.id());
      if (original != null) {
        outcomes.add(new Appended(original, true));
      } else {
        boolean again = seen.put(event.id(), Boolean.TRUE) != null;
        outcomes.add(new Appended(assigned.get(event.id()), again));
      }
    }
    return outcomes;
  }
}
