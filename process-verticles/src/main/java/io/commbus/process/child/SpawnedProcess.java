package io.commbus.process.child;

import io.vertx.core.Context;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The operating-system side of one child run: the process spawned in a group of its own with
 * its minimal environment, its output copied to the log, its exit, and the signals that end it
 * and whatever it started.
 */
final class SpawnedProcess implements ChildRun {

  private static final String SETSID = "/usr/bin/setsid";
  /** How long the output pumps may take to drain after an exit, so a crashing child's last lines are kept. */
  private static final long OUTPUT_DRAIN_MILLIS = 200;

  private final Process process;
  private final OutputPump stdout;
  private final OutputPump stderr;

  private SpawnedProcess(Process process, String childId) {
    this.process = process;
    this.stdout = new OutputPump(childId, "stdout", process.getInputStream());
    this.stderr = new OutputPump(childId, "stderr", process.getErrorStream());
  }

  /** Spawns the child; blocking, call it on a worker. */
  static SpawnedProcess spawn(ChildSpec spec, Path socket, String token, String childId) throws IOException {
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    List<String> argv = new ArrayList<>();
    // A process group of its own: a terminal's Ctrl-C reaches the node, which stops children in order.
    if (new File(SETSID).canExecute()) {
      argv.add(SETSID);
    }
    argv.addAll(spec.command());
    ProcessBuilder builder = new ProcessBuilder(argv);
    if (spec.workingDirectory() != null) {
      builder.directory(spec.workingDirectory().toFile());
    }
    ChildEnvironment.fill(builder.environment(), spec.environment(), socket, token, childId);
    SpawnedProcess spawned = new SpawnedProcess(builder.start(), childId);
    spawned.stdout.start();
    spawned.stderr.start();
    spawned.process.getOutputStream().close();
    return spawned;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  /**
   * Calls {@code handler} with the exit status on {@code context} once the process has exited.
   * The JDK's reaper reports the exit as it happens; the output pumps get a moment to drain, off
   * the event loop, so the last lines a crashing child printed are kept.
   */
  @Override
  public void onExit(Context context, IntConsumer handler) {
    process.onExit().thenRunAsync(() -> {
      stdout.awaitEnd(OUTPUT_DRAIN_MILLIS);
      stderr.awaitEnd(OUTPUT_DRAIN_MILLIS);
    }).whenComplete((p, e) -> context.runOnContext(v -> handler.accept(process.exitValue())));
  }

  @Override
  public List<String> lastErrorLines() {
    return stderr.lastLines();
  }

  @Override
  public Optional<ProcessHandle> handle() {
    return Optional.of(process.toHandle());
  }
}
