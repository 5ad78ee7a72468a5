package io.commbus.adapter.postgres;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.pgclient.PgException;

/** Reports driver and server failures as STORAGE errors that say which server and journal. */
final class StorageErrors {

  /** PostgreSQL's unique_violation. */
  static final String UNIQUE_VIOLATION = "23505";

  private StorageErrors() {
  }

  static CommBusException storage(String what, PostgresJournalOptions options, Throwable cause) {
    if (cause instanceof CommBusException) {
      return (CommBusException) cause;
    }
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new CommBusException(ErrorCode.STORAGE, what + " (PostgreSQL journal " + options.getTable() + " at "
        + options.where() + "): " + reason, cause);
  }

  static CommBusException closed(PostgresJournalOptions options) {
    return new CommBusException(ErrorCode.STORAGE, "the PostgreSQL journal " + options.getTable() + " at "
        + options.where() + " is closed");
  }

  static boolean isUniqueViolation(Throwable failure) {
    return failure instanceof PgException && UNIQUE_VIOLATION.equals(((PgException) failure).getSqlState());
  }
}
