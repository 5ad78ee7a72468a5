package io.commbus.bus.error;

/** A limit was reached; try again later. Code {@link ErrorCode#OVERLOADED}. */
public class OverloadedException extends CommBusException {
  public OverloadedException(String message) {
    super(ErrorCode.OVERLOADED, message);
  }
}
