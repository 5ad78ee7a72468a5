package io.commbus.bus.error;

/** Middleware refused the message before it reached the bus. Code {@link ErrorCode#REJECTED}. */
public class RejectedException extends CommBusException {
  public RejectedException(String message, Throwable cause) {
    super(ErrorCode.REJECTED, message, cause);
  }
}
