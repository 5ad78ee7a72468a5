package io.commbus.bus.error;

/** The stream was cancelled by its consumer. Code {@link ErrorCode#CANCELLED}. */
public class CancelledException extends CommBusException {
  public CancelledException(String message) {
    super(ErrorCode.CANCELLED, message);
  }
}
