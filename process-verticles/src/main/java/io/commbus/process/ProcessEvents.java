package io.commbus.process;

/** The bus event types a pool publishes about its children. Bodies carry {@code pool} and {@code child}. */
public final class ProcessEvents {

  /** A child finished its handshake: {@code pid}, {@code kind}, {@code startupMillis}, {@code generation}. */
  public static final String CHILD_STARTED = "commbus.process.ChildStarted";
  /**
   * A child exited unasked: {@code pid}, {@code status}, {@code signal}, {@code cause} (why, one of
   * EXITED, SIGNALLED, HANDSHAKE_FAILED, PROTOCOL_VIOLATION, PARENT_FAILED, HUNG, DISCONNECTED),
   * {@code description}.
   */
  public static final String CHILD_EXITED = "commbus.process.ChildExited";
  /** A child will be started again: {@code attempt}, {@code delayMillis}. */
  public static final String CHILD_RESTARTING = "commbus.process.ChildRestarting";
  /**
   * A child failed more than {@code maxRestarts} times in a row: {@code failures},
   * {@code description}. From now on it is tried only every {@code givenUpRetryInterval}.
   */
  public static final String CHILD_GAVE_UP = "commbus.process.ChildGaveUp";

  private ProcessEvents() {
  }
}
