package io.commbus.process.child;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.IntConsumer;

/** The operating-system side of one run of a child, however it was started (spawned, or forked from a template). */
public interface ChildRun {

  long pid();

  /**
   * Calls {@code handler} on {@code context} with the exit status once the process has exited:
   * its exit code, or 128 plus the signal that killed it; -1 when it cannot be told.
   */
  void onExit(Context context, IntConsumer handler);

  /** The last lines the child wrote to stderr, oldest first. */
  List<String> lastErrorLines();

  /** Signals the child, its group and its descendants: SIGKILL when {@code force}, else SIGTERM. */
  Future<Void> signal(Context context, boolean force);

  /** SIGKILLs whatever the exited child left running in its process group: no orphans. */
  Future<Void> killLeftovers(Context context);
}
