package io.commbus.process.child;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.util.List;
import java.util.Optional;
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

  /** The process, while the system still has it. */
  Optional<ProcessHandle> handle();

  /** Signals the child, its group and its descendants: SIGKILL when {@code force}, else SIGTERM. */
  default Future<Void> signal(Context context, boolean force) {
    return context.owner().executeBlocking(() -> {
      handle().ifPresent(process -> ProcessSignals.kill(process, force));
      return null;
    }, false);
  }

  /**
   * SIGKILLs whatever the exited child left running in its process group, which it leads (its
   * id is the child's pid): no orphans.
   */
  default Future<Void> killLeftovers(Context context) {
    long groupId = pid();
    return context.owner().executeBlocking(() -> {
      ProcessSignals.killGroup(groupId);
      return null;
    }, false);
  }
}
