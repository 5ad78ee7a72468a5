package io.commbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The process, clients and pipeline suites' Python files (from {@code bench/python}), copied
 * out of the jar into a temporary directory: a child needs them as files, and the jar may run
 * from anywhere. Blocks; call from a worker.
 */
final class PythonFiles {

  /** The SDK children's entry module. */
  static final String SDK_HANDLERS = "sdk_handlers";
  /** The minimal request/reply child. */
  static final String ECHO_CHILD = "echo_child.py";
  /** The minimal stream and callback child. */
  static final String PROTOCOL_CHILD = "protocol_child.py";
  /** The clients suite's external programs: attached worker and publisher. */
  static final String CLIENT_WORKER = "client_worker.py";
  /** The pipeline suite's session nodes, and the work they share with its plain baseline. */
  static final String PIPELINE_NODES = "pipeline_nodes";
  static final String PIPE_WORKLOAD = "pipe_workload.py";
  /** The pipeline suite's baseline: a chain of plain processes on socketpairs. */
  static final String PIPE_BASELINE = "pipe_baseline.py";

  private static final String RESOURCES = "/bench-python/";
  private static final List<String> FILES = List.of(SDK_HANDLERS + ".py", ECHO_CHILD, PROTOCOL_CHILD,
      CLIENT_WORKER, PIPELINE_NODES + ".py", PIPE_WORKLOAD, PIPE_BASELINE);

  private final Path directory;

  private PythonFiles(Path directory) {
    this.directory = directory;
  }

  static PythonFiles extract() {
    try {
      Path directory = Files.createTempDirectory("commbus-bench-python");
      for (String name : FILES) {
        try (InputStream in = PythonFiles.class.getResourceAsStream(RESOURCES + name)) {
          if (in == null) {
            throw new BenchFailure("the bench jar lacks " + RESOURCES + name + ", built from bench/python/" + name);
          }
          Files.copy(in, directory.resolve(name));
        }
      }
      return new PythonFiles(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the benchmark's Python files out of the jar", e);
    }
  }

  /** The directory to put on a child's Python path. */
  Path directory() {
    return directory;
  }

  Path file(String name) {
    return directory.resolve(name);
  }

  void delete() {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + directory, e);
    }
  }
}
