package io.commbus.bench;

import io.vertx.core.Future;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Processor time a run cost in one child process and in this JVM, read before and after it.
 * It tells where a row's time goes: a child that is busy most of the run limits it, a child
 * that mostly waits does not. The child's time comes from {@code /proc/<pid>/stat}, in ticks
 * of 10 ms (Linux's USER_HZ), so a run must last a few tenths of a second to count; the JVM's
 * includes every thread (event loops, JIT, GC).
 */
final class CpuMeter {

  private static final long NANOS_PER_TICK = 10_000_000;
  private static final com.sun.management.OperatingSystemMXBean JVM =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private CpuMeter() {
  }

  /** One run's result with the processor time spent on it. */
  record Metered<T>(T result, long childNanos, long jvmNanos) {
  }

  /** Runs {@code run} and notes what it cost; the readings sit outside the run's own timing. */
  static <T> Future<Metered<T>> around(long childPid, Supplier<Future<T>> run) {
    long child = childNanos(childPid);
    long jvm = JVM.getProcessCpuTime();
    return run.get().map(result -> new Metered<>(result, childNanos(childPid) - child, JVM.getProcessCpuTime() - jvm));
  }

  /** User plus system time of a process; 0 where {@code /proc} cannot tell. */
  private static long childNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 12th and 13th.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
