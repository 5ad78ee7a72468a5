package io.commbus.process.child;

import io.commbus.bus.error.ErrorCode;

/** Why a child run ended: decided where it happens, never read back from a message. */
public enum ExitCause {
  /** It exited by itself. */
  EXITED,
  /** A signal this side did not send ended it. */
  SIGNALLED,
  /** It could not be spawned at all. */
  SPAWN_FAILED,
  /** Its handshake failed, was refused or timed out, and it was killed. */
  HANDSHAKE_FAILED,
  /** It broke the protocol and was killed. */
  PROTOCOL_VIOLATION,
  /** This side failed handling one of its frames (a bug of ours) and killed it to start clean. */
  PARENT_FAILED,
  /** Its event loop did not answer a liveness ping and it was killed. */
  HUNG,
  /** It closed its connection but kept running, and was killed. */
  DISCONNECTED,
  /** It was asked to stop. */
  STOPPED;

  /** The code the exchanges still open on the child fail with. */
  public ErrorCode errorCode() {
    switch (this) {
      case PROTOCOL_VIOLATION:
        return ErrorCode.PROTOCOL;
      case PARENT_FAILED:
        return ErrorCode.INTERNAL;
      default:
        return ErrorCode.CHILD_EXITED;
    }
  }
}
