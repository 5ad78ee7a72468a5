package io.commbus.process;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

/**
 * A child did not complete its handshake. {@link #reason()} names why; an import failure
 * carries the child's traceback in {@link #remoteTrace()}.
 */
public class HandshakeException extends CommBusException {

  /** Why a handshake failed; the names match the {@code reason} of a {@code fail} frame. */
  public enum Reason {
    BAD_TOKEN("bad-token"),
    VERSION_MISMATCH("version-mismatch"),
    IMPORT("import"),
    TIMEOUT("timeout"),
    CHILD_EXITED("child-exited"),
    PROTOCOL("protocol");

    private final String wireName;

    Reason(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    public static Reason fromWireName(String name) {
      for (Reason reason : values()) {
        if (reason.wireName.equals(name)) {
          return reason;
        }
      }
      return PROTOCOL;
    }
  }

  private final Reason reason;

  public HandshakeException(Reason reason, String message, String remoteType, String remoteTrace) {
    super(reason == Reason.TIMEOUT ? ErrorCode.TIMEOUT : reason == Reason.CHILD_EXITED ? ErrorCode.CHILD_EXITED
        : ErrorCode.PROTOCOL, message, remoteType, remoteTrace, null);
    this.reason = reason;
  }

  public HandshakeException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  public Reason reason() {
    return reason;
  }
}
