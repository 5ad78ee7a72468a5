package io.commbus.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The interpreter {@code python3} on the PATH really runs. Version managers put a shim there
 * (pyenv's is a shell script that runs {@code pyenv exec}), which adds tens of milliseconds
 * to every start and would make the cold-start row measure the shim. Both sides of every row
 * run this one path. Blocks; call from a worker.
 */
final class PythonInterpreter {

  private PythonInterpreter() {
  }

  static Path resolve() {
    try {
      Process python = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
          .redirectErrorStream(true).start();
      String executable = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!python.waitFor(10, TimeUnit.SECONDS) || python.exitValue() != 0 || executable.isEmpty()
          || !Files.isExecutable(Path.of(executable))) {
        throw new BenchFailure("python3 did not name its interpreter (got '" + executable + "')");
      }
      return Path.of(executable);
    } catch (IOException e) {
      throw new UncheckedIOException("the process suite needs python3 on the PATH", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while looking for python3", e);
    }
  }
}
