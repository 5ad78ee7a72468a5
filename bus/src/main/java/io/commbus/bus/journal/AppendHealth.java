package io.commbus.bus.journal;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.AsyncResult;

import java.time.Clock;

/**
 * A journal's {@link JournalHealth} as its appends turn out: a STORAGE failure takes it down
 * with that cause, the next stored append brings it back up. Failures that are the event's
 * fault (too large, malformed) say nothing about the store and change nothing. Thread-safe:
 * appends complete on whichever thread stored them.
 */
public final class AppendHealth {

  private final Clock clock;
  private volatile JournalHealth current;

  public AppendHealth(Clock clock) {
    this.clock = clock;
    this.current = JournalHealth.up(clock.instant());
  }

  public AppendHealth() {
    this(Clock.systemUTC());
  }

  /** Takes the outcome of one append. */
  public void record(AsyncResult<?> outcome) {
    if (outcome.succeeded()) {
      stored();
    } else if (outcome.cause() instanceof CommBusException
        && ((CommBusException) outcome.cause()).code() == ErrorCode.STORAGE) {
      failed(outcome.cause().getMessage());
    }
  }

  /** An append was stored, or a probe found the store taking writes again. */
  public synchronized void stored() {
    if (current.state() == JournalHealth.State.DOWN) {
      current = JournalHealth.up(clock.instant());
    }
  }

  /** The store failed; while already down, the cause is the latest one but "since" stays. */
  public synchronized void failed(String cause) {
    current = JournalHealth.down(cause, current.state() == JournalHealth.State.DOWN ? current.since()
        : clock.instant());
  }

  public JournalHealth current() {
    return current;
  }
}
