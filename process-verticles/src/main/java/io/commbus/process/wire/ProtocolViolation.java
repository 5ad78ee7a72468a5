package io.commbus.process.wire;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

/**
 * The other side broke the child protocol: a malformed frame, a missing or mistyped header
 * field, a frame out of place. Always {@link ErrorCode#PROTOCOL}; the connection that sees it
 * closes. Its own type, so a reader catches exactly this and never mistakes a bug of ours for
 * the peer's fault.
 */
public final class ProtocolViolation extends CommBusException {

  public ProtocolViolation(String message) {
    super(ErrorCode.PROTOCOL, message);
  }
}
