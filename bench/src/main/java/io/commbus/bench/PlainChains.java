package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of the pipeline rows: the same chain as plain Python processes on socketpairs,
 * with no commbus at all ({@code pipe_baseline.py}), started on a worker thread, since starting
 * a process and waiting for it block. The sink's report is the last line the chain prints.
 */
final class PlainChains {

  private final Vertx vertx;
  private final Path python;
  private final PythonFiles files;
  private final Duration timeout;

  PlainChains(Vertx vertx, Path python, PythonFiles files, Duration timeout) {
    this.vertx = vertx;
    this.python = python;
    this.files = files;
    this.timeout = timeout;
  }

  /** Completes, on the calling context, with the sink's report once every process of the chain has exited. */
  Future<SinkReport> run(ChainLoad load) {
    return vertx.executeBlocking(() -> SinkReport.read(chain(load), load, "the plain"), false);
  }

  private JsonObject chain(ChainLoad load) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of(python.toString(),
        files.file(PythonFiles.PIPE_BASELINE).toString(), "--nodes", String.valueOf(load.nodes()),
        "--frames", String.valueOf(load.frames()), "--size", String.valueOf(load.frameBytes()),
        "--rate", String.valueOf(load.rate())));
    if (load.latencies()) {
      command.add("--latencies");
    }
    Path output = null;
    Process chain = null;
    try {
      // To a file, not a pipe: the chain's processes all hold its stdout, and a pipe read to its
      // end could not be given up on when one of them hangs.
      output = Files.createTempFile(files.directory(), "chain", ".out");
      chain = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!chain.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new BenchFailure("the plain chain of " + load.nodes() + " did not finish " + load.frames()
            + " frames within " + timeout.toSeconds() + " s");
      }
      String printed = Files.readString(output, StandardCharsets.UTF_8).strip();
      if (chain.exitValue() != 0) {
        throw new BenchFailure("the plain chain exited with " + chain.exitValue() + ": " + printed);
      }
      return lastLine(printed);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } finally {
      if (chain != null && chain.isAlive()) {
        chain.descendants().forEach(ProcessHandle::destroyForcibly);
        chain.destroyForcibly();
      }
      if (output != null) {
        deleteQuietly(output);
      }
    }
  }

  private static JsonObject lastLine(String printed) {
    String last = printed.substring(printed.lastIndexOf('\n') + 1);
    try {
      return new JsonObject(last);
    } catch (DecodeException e) {
      throw new BenchFailure("the plain chain printed no report: " + printed, e);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // left for PythonFiles.delete, which removes the whole directory at the end
    }
  }
}
