package io.commbus.process.child;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Signals a child, its process group and every descendant, so nothing it started outlives it.
 * Blocking: call from a worker thread.
 */
public final class ProcessSignals {

  private ProcessSignals() {
  }

  /** SIGKILL when {@code force}, else SIGTERM. */
  public static void kill(ProcessHandle process, boolean force) {
    List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
    signalGroup(process.pid(), force);
    for (ProcessHandle handle : descendants) {
      if (force) {
        handle.destroyForcibly();
      } else {
        handle.destroy();
      }
    }
    if (force) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
  }

  /**
   * SIGKILLs what is left of an exited child's process group. Linux does not hand out a pid
   * that is still some group's id, so this reaches only the child's own leftovers.
   */
  public static void killGroup(long pid) {
    signalGroup(pid, true);
  }

  /** The child leads its own group (it was started through setsid), which catches daemonised grandchildren too. */
  private static void signalGroup(long pid, boolean force) {
    try {
      Process kill = new ProcessBuilder("kill", force ? "-KILL" : "-TERM", "--", "-" + pid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1) on this system: the per-process signals below still apply
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
