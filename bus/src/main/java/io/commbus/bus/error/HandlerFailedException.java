package io.commbus.bus.error;

/**
 * The handler of a command or query failed. {@link #remoteType()} names the original
 * error's type and {@link #getMessage()} carries its message. Code {@link ErrorCode#HANDLER_FAILED}.
 */
public class HandlerFailedException extends CommBusException {
  public HandlerFailedException(String message, String remoteType) {
    super(ErrorCode.HANDLER_FAILED, message, remoteType, null);
  }

  /** A failure with the remote handler's stack trace, as its runtime formatted it. */
  public HandlerFailedException(String message, String remoteType, String remoteTrace) {
    super(ErrorCode.HANDLER_FAILED, message, remoteType, remoteTrace, null);
  }
}
