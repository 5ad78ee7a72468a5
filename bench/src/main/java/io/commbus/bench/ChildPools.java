package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.process.PoolOptions;
import io.commbus.process.ProcessOptions;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.StartMode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The pools the process suite compares: one child running the SDK with an entry function from
 * {@code sdk_handlers.py}, or one minimal child script. Both get the same interpreter, the same
 * default options and the same callbacks, so the Java side is the same and only the Python
 * side differs.
 */
final class ChildPools {

  static final String ITEMS = "bench.Items";
  static final String ONE = "bench.One";
  /** How long {@code sdk_handlers} takes to import, in seconds (sdk_handlers.py reads it). */
  private static final String IMPORT_SECONDS = "BENCH_IMPORT_SECONDS";

  private final CommBus bus;
  private final PythonFiles files;
  private final String python;

  ChildPools(CommBus bus, PythonFiles files, Path python) {
    this.bus = bus;
    this.files = files;
    this.python = python.toString();
  }

  /** A pool of one SDK child ({@code python3 -m commbus.child}) serving {@code function}. */
  ProcessVerticle sdk(String type, String function) {
    PythonProcessConfig worker = new PythonProcessConfig(PythonFiles.SDK_HANDLERS, function)
        .setPython(python)
        .addPythonPath(files.directory())
        .setProcess(withCallbacks(new ProcessOptions()));
    return ProcessVerticle.python(bus, pool(type), worker);
  }

  /**
   * A pool of one SDK child serving {@code echo} from a module that takes {@code importSeconds}
   * to import, started in {@code mode}: what the scale-up row resizes.
   */
  ProcessVerticle slowImport(String type, StartMode mode, double importSeconds) {
    PythonProcessConfig worker = new PythonProcessConfig(PythonFiles.SDK_HANDLERS, "echo")
        .setPython(python)
        .addPythonPath(files.directory())
        .putEnvironment(IMPORT_SECONDS, String.valueOf(importSeconds))
        .setProcess(withCallbacks(new ProcessOptions()).setStartMode(mode)
            .setHandshakeTimeout(Duration.ofSeconds(30)));
    return ProcessVerticle.python(bus, pool(type), worker);
  }

  /** A pool of one {@code python script args...} speaking the protocol by itself. */
  ProcessVerticle minimal(String type, String script, String... args) {
    List<String> command = new ArrayList<>(List.of(python, files.file(script).toString()));
    command.addAll(List.of(args));
    return new ProcessVerticle(bus, pool(type), withCallbacks(new ProcessOptions()).setCommand(command));
  }

  private static ProcessOptions withCallbacks(ProcessOptions options) {
    return options.addCallback(ITEMS).addCallback(ONE);
  }

  private static PoolOptions pool(String type) {
    return new PoolOptions(type).setSize(1);
  }
}
