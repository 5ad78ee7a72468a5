package io.commbus.bus.error;

/**
 * The member handling a call left the cluster before it answered; the message names it.
 * Retryable: the call may have done its work or not, and another member may handle it now.
 * Code {@link ErrorCode#NODE_LEFT}.
 */
public class NodeLeftException extends CommBusException {
  public NodeLeftException(String message) {
    super(ErrorCode.NODE_LEFT, message);
  }
}
