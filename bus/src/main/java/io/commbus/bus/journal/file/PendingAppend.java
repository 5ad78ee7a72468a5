package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.journal.Appended;
import io.commbus.bus.journal.JournalEvent;
import io.vertx.core.Promise;

/** One append waiting for the writer, and what became of it; only the writer thread touches the outcome. */
final class PendingAppend {

  /** Tells the writer to stop once what is queued before it is written. */
  static final PendingAppend STOP = new PendingAppend(null, null);

  final JournalEvent event;
  final Promise<Appended> promise;
  long position;
  long offset;
  /** Set for a duplicate: the original's position. */
  Appended result;
  CommBusException error;

  PendingAppend(JournalEvent event, Promise<Appended> promise) {
    this.event = event;
    this.promise = promise;
  }

  /** Hands the outcome to the publisher. */
  void complete() {
    if (error != null) {
      promise.tryFail(error);
    } else if (result != null) {
      promise.tryComplete(result);
    } else {
      promise.tryComplete(new Appended(position, false));
    }
  }
}
