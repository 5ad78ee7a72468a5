package io.commbus.process;

import io.commbus.bus.error.CommBusException;
import io.commbus.process.child.HandshakeFailure;
import io.commbus.process.wire.Protocol.FailReason;

/**
 * A child did not complete its handshake. {@link #reason()} names why; an import failure
 * carries the child's traceback in {@link #remoteTrace()}.
 */
public class HandshakeException extends CommBusException {

  /** Why a handshake failed; the names match the {@code reason} of a {@code fail} frame. */
  public enum Reason {
    BAD_TOKEN, VERSION_MISMATCH, IMPORT, TIMEOUT, CHILD_EXITED, PROTOCOL;

    public String wireName() {
      return failReason().wireName();
    }

    public static Reason fromWireName(String name) {
      return of(FailReason.fromWireName(name));
    }

    FailReason failReason() {
      return FailReason.valueOf(name());
    }

    static Reason of(FailReason reason) {
      return valueOf(reason.name());
    }
  }

  private final Reason reason;

  public HandshakeException(Reason reason, String message, String remoteType, String remoteTrace) {
    super(HandshakeFailure.codeOf(reason.failReason()), message, remoteType, remoteTrace, null);
    this.reason = reason;
  }

  public HandshakeException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  public Reason reason() {
    return reason;
  }

  /** The public form of a failure the child package reports; anything else is returned as it is. */
  static Throwable publicForm(Throwable failure) {
    if (failure instanceof HandshakeFailure) {
      HandshakeFailure handshake = (HandshakeFailure) failure;
      return new HandshakeException(Reason.of(handshake.reason()), handshake.getMessage(), handshake.remoteType(),
          handshake.remoteTrace());
    }
    return failure;
  }
}
