package io.commbus.bus.error;

/** The reply did not arrive before the deadline. Code {@link ErrorCode#TIMEOUT}. */
public class BusTimeoutException extends CommBusException {
  public BusTimeoutException(String message) {
    super(ErrorCode.TIMEOUT, message);
  }
}
