package io.commbus.process.child;

import io.vertx.core.Context;

import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * A child forked by its pool's {@link ForkServer}: the server relays its output and its exit,
 * and the node signals it by pid like a spawned child (it leads a process group of its own).
 */
final class ForkedProcess implements ChildRun {

  private final long pid;
  private final OutputPump stdout;
  private final OutputPump stderr;
  private Context exitContext;
  private IntConsumer exitHandler;
  private Integer exitStatus;

  ForkedProcess(long pid, String childId) {
    this.pid = pid;
    this.stdout = new OutputPump(childId, "stdout");
    this.stderr = new OutputPump(childId, "stderr");
  }

  @Override
  public long pid() {
    return pid;
  }

  /** A line the server relayed; {@code stream} is {@code stdout} or {@code stderr}. */
  void output(String stream, String line) {
    ("stderr".equals(stream) ? stderr : stdout).accept(line);
  }

  /** The server reaped the child (or, the server gone, the system says it is gone); on the server's context. */
  synchronized void exited(int status) {
    if (exitStatus != null) {
      return;
    }
    exitStatus = status;
    if (exitHandler != null) {
      IntConsumer handler = exitHandler;
      exitContext.runOnContext(v -> handler.accept(status));
    }
  }

  /**
   * Its fork server is gone, so no one reaps it and reports its exit: the system is asked to
   * tell when it is gone instead; its exit status is then unknown (-1).
   */
  void orphaned() {
    ProcessHandle.of(pid).ifPresentOrElse(handle -> handle.onExit().thenRun(() -> exited(-1)), () -> exited(-1));
  }

  @Override
  public synchronized void onExit(Context context, IntConsumer handler) {
    exitContext = context;
    exitHandler = handler;
    if (exitStatus != null) {
      int status = exitStatus;
      context.runOnContext(v -> handler.accept(status));
    }
  }

  @Override
  public List<String> lastErrorLines() {
    return stderr.lastLines();
  }

  @Override
  public Optional<ProcessHandle> handle() {
    return ProcessHandle.of(pid);
  }
}
