package io.commbus.bus;

/**
 * A {@code subscribeFrom} registration, whose reader can hold the journal back: while paused,
 * no event is handed to the handler and no more of the journal is read, so a consumer that
 * forwards events somewhere slower (a socket) keeps what it holds bounded.
 */
public interface JournalFollow extends Registration {

  /** Stops delivery after the event being handled, if any, until {@link #resume()}. */
  JournalFollow pause();

  /** Goes on delivering from where {@link #pause()} stopped. */
  JournalFollow resume();

  /**
   * Completes once the follow is unregistered; fails when it stopped because the journal
   * could not be read (before or after it caught up), with why.
   */
  io.vertx.core.Future<Void> ended();
}
