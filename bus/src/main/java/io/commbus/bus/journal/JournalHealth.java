package io.commbus.bus.journal;

import java.time.Instant;
import java.util.Objects;

/**
 * Whether a journal is storing what it is given: {@link State#DOWN} from a failed append (a full
 * disk, a lost database) until an append succeeds again, with the cause and since when. A
 * journal that answers reads but cannot store must not look healthy.
 */
public final class JournalHealth {

  /** Up or down. */
  public enum State {
    UP,
    DOWN
  }

  private final State state;
  private final String cause;
  private final Instant since;

  private JournalHealth(State state, String cause, Instant since) {
    this.state = state;
    this.cause = cause;
    this.since = Objects.requireNonNull(since);
  }

  public static JournalHealth up(Instant since) {
    return new JournalHealth(State.UP, null, since);
  }

  public static JournalHealth down(String cause, Instant since) {
    return new JournalHealth(State.DOWN, Objects.requireNonNull(cause), since);
  }

  public State state() {
    return state;
  }

  /** Why it is down; null while up. */
  public String cause() {
    return cause;
  }

  /** Since when it has been in this state. */
  public Instant since() {
    return since;
  }

  @Override
  public String toString() {
    return state == State.UP ? "UP since " + since : "DOWN since " + since + ": " + cause;
  }
}
