package io.commbus.process;

import io.commbus.process.child.ChildSpec;
import io.commbus.process.child.ForkServer;
import io.commbus.process.child.Launcher;
import io.commbus.process.wire.Protocol;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Turns validated {@link ProcessOptions} into the {@link ChildSpec} a run starts from: one place for pools and pipeline sessions. */
public final class ChildSpecs {

  private ChildSpecs() {
  }

  /**
   * The spec of children started as {@code options} say; {@code name} (a pool's, a session
   * manager's) names the fork server in fork mode. Throws an IllegalArgumentException for a
   * start mode the command cannot take.
   */
  public static ChildSpec of(String name, ProcessOptions options) {
    return new ChildSpec(options.getCommand(), options.getWorkingDirectory(), options.getEnvironment(),
        options.getEntry(), options.getCallbacks(), options.getHandshakeTimeout(), options.getMaxFrameSize(),
        options.getStreamWindow(), options.getRequestTimeout(), options.getHangGrace(), options.getShutdownGrace(),
        CallbackPaths::messageTypeOfCall, options.getLogLevel(), launcher(name, options));
  }

  /**
   * Spawns each child, or in fork mode forks it from a template that runs the same interpreter
   * with {@code -m commbus.forkserver MODULE FUNCTION} instead of {@code -m commbus.child}.
   */
  private static Launcher launcher(String name, ProcessOptions options) {
    if (options.getStartMode() == StartMode.SPAWN) {
      return Launcher.SPAWN;
    }
    List<String> command = options.getCommand();
    if (command.size() != 3 || !command.get(2).equals(PythonProcessConfig.CHILD_MODULE)) {
      throw new IllegalArgumentException("startMode: fork starts Python workers (a PythonProcessConfig), not "
          + command);
    }
    JsonObject entry = options.getEntry();
    return new ForkServer(name, List.of(command.get(0), "-m", PythonProcessConfig.FORK_SERVER_MODULE,
        entry.getString(Protocol.ENTRY_MODULE), entry.getString(Protocol.ENTRY_FUNCTION)));
  }
}
