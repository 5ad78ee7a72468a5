package io.commbus.process.child;

import io.commbus.bus.error.ErrorCode;

/**
 * Why a child run ended: decided where it happens, never read back from a message. Each cause
 * also words the sentence logs and events carry ({@link #describe}), so the sentence is made in
 * one place whichever way the run ended.
 */
public enum ExitCause {
  /** It exited by itself. */
  EXITED,
  /** A signal this side did not send ended it. */
  SIGNALLED,
  /** It could not be spawned at all; the detail is why. */
  SPAWN_FAILED,
  /** Its handshake failed, was refused or timed out, and it was killed; the detail is a clause ("it presented a wrong token"). */
  HANDSHAKE_FAILED,
  /** It broke the protocol and was killed; the detail is the violation ("frame of 9 bytes exceeds ..."). */
  PROTOCOL_VIOLATION,
  /** This side failed handling one of its frames (a bug of ours) and killed it to start clean; the detail names the frame ("its credit frame"). */
  PARENT_FAILED,
  /** Its event loop did not answer a liveness ping and it was killed; the detail is how long it had ("500 ms of a request passing its deadline"). */
  HUNG,
  /** It closed its connection but kept running, and was killed; the detail is how long it had to exit ("1000 ms"). */
  DISCONNECTED,
  /** It was asked to stop; a detail means it did not within that time ("600 ms") and was killed. */
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

  /**
   * The one sentence for a run that ended this way: the child, its pid, its exit status, and
   * why this side ended it when it did ({@code detail}, null when it did not): {@code child
   * trading#0 (pid 4242) exited with status 3 after its handshake failed: it presented a wrong
   * token}. A run that was never spawned has no pid or status: {@code child trading#0 could not
   * be started: ...}.
   */
  public String describe(String childId, long pid, int status, String detail) {
    if (this == SPAWN_FAILED) {
      return "child " + childId + " could not be started" + (detail == null ? "" : ": " + detail);
    }
    String ended = "child " + childId + " (pid " + pid + ") " + ExitStatus.describe(status);
    String why = detail == null ? null : why(detail);
    return why == null ? ended : ended + " " + why;
  }

  /** What follows the exit status, when this side ended the run; null for the causes that need none. */
  private String why(String detail) {
    switch (this) {
      case HANDSHAKE_FAILED:
        return "after its handshake failed: " + detail;
      case PROTOCOL_VIOLATION:
        return "after it broke the protocol: " + detail;
      case PARENT_FAILED:
        return "after the parent failed handling " + detail;
      case HUNG:
        return "after it did not answer a liveness ping within " + detail;
      case DISCONNECTED:
        return "after it closed its connection and did not exit within " + detail;
      case STOPPED:
        return "after it was asked to stop and did not within " + detail;
      default:
        return null; // it ended by itself, or by a signal of someone else's: the status says all
    }
  }
}
