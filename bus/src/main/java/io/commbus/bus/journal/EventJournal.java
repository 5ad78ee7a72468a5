package io.commbus.bus.journal;

import io.vertx.core.Future;
import io.vertx.core.Handler;

import java.util.List;
import java.util.Set;

/**
 * A durable, ordered log of events. Every implementation passes the same contract tests.
 *
 * <ul>
 *   <li>Positions are dense, start at 1, increase, and are never reused.</li>
 *   <li>{@link #append} completes once the event is durable under the journal's policy; only
 *       then may anyone read it.</li>
 *   <li>Appending an event whose id is within the deduplication window is acknowledged with the
 *       original position and stores nothing.</li>
 *   <li>Reads see a consistent prefix of the journal while appends continue.</li>
 *   <li>Every returned future completes on the Vert.x context of its caller, and watch
 *       listeners run on the context that registered them, so callers may keep state on
 *       their context without locks.</li>
 * </ul>
 */
public interface EventJournal {

  /** Appends an event; see the class comment for what completion means. */
  Future<Appended> append(JournalEvent event);

  /**
   * Up to {@code maxRecords} records with position at least {@code fromPosition}, in order,
   * only of {@code types} unless it is empty. An empty list means nothing is stored there yet.
   */
  Future<List<JournalRecord>> read(long fromPosition, int maxRecords, Set<String> types);

  /** {@link #read(long, int, Set)} of every type. */
  default Future<List<JournalRecord>> read(long fromPosition, int maxRecords) {
    return read(fromPosition, maxRecords, Set.of());
  }

  /** The position of the last readable record; 0 when the journal is empty. */
  Future<Long> lastPosition();

  /**
   * Calls {@code listener} with the new last position whenever appended records become
   * readable, so tails need not poll. Returns the handle that stops it.
   */
  AutoCloseable watch(Handler<Long> listener);

  /**
   * Whether appends are being stored: DOWN with the cause after an append failed for the
   * store's sake (STORAGE), until one succeeds again. Answers at once, without I/O.
   */
  JournalHealth health();

  /**
   * {@link #health()}, after trying the store again where the journal can do so without
   * appending, so that a journal that went DOWN on a quiet node, which appends nothing more,
   * comes back UP once its cause is gone. Completes on the caller's context.
   */
  default Future<JournalHealth> checkHealth() {
    return Future.succeededFuture(health());
  }

  /** Stops appends and reads and releases files or connections. */
  Future<Void> close();
}
