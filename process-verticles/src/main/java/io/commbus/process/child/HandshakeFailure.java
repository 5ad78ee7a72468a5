package io.commbus.process.child;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Protocol.FailReason;

/**
 * A child did not complete its handshake, and why. The process package turns it into the public
 * {@code HandshakeException}.
 */
public final class HandshakeFailure extends CommBusException {

  private final FailReason reason;

  public HandshakeFailure(FailReason reason, String message, String remoteType, String remoteTrace) {
    super(codeOf(reason), message, remoteType, remoteTrace, null);
    this.reason = reason;
  }

  public HandshakeFailure(FailReason reason, String message) {
    this(reason, message, null, null);
  }

  public FailReason reason() {
    return reason;
  }

  /** The error code a failed handshake reports for {@code reason}. */
  public static ErrorCode codeOf(FailReason reason) {
    switch (reason) {
      case TIMEOUT:
        return ErrorCode.TIMEOUT;
      case IMPORT:
      case CHILD_EXITED:
        return ErrorCode.START_FAILED;
      default:
        return ErrorCode.PROTOCOL;
    }
  }
}
