package io.commbus.process.child;

/**
 * How one child run ended.
 *
 * @param cause       why, typed
 * @param status      the exit status as the JDK reports it (128 + signal for a signal); -1 if it never ran
 * @param description one line for logs and events, naming the child, its pid, the status and the cause
 */
public record ChildExit(ExitCause cause, int status, String description) {

  /** The signal that ended the child, or 0 when it exited by itself. */
  public int signal() {
    return ExitStatus.signal(status);
  }
}
