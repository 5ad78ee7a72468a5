package io.commbus.bus.error;

/** Nobody handles the message type. Code {@link ErrorCode#NO_HANDLER}. */
public class NoHandlerException extends CommBusException {
  public NoHandlerException(String message) {
    super(ErrorCode.NO_HANDLER, message);
  }
}
