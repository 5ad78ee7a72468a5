package io.commbus.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python program the node did not start ({@code bench/python/client_worker.py}): it connects
 * to the client endpoint with the SDK like any outside program (or, as the gRPC row's baseline,
 * to a gRPC server with grpcio), and the harness drives it over
 * its stdin and stdout, one line each way, so the bus carries only what is measured. Its stderr
 * goes to a file beside the bench's Python files and is quoted when it fails. All methods
 * block; call them from a worker or the main thread.
 */
final class ExternalClient implements AutoCloseable {

  /** Where the SDK's token goes: the environment, never the command line. */
  static final String TOKEN_VARIABLE = "COMMBUS_BENCH_TOKEN";
  private static final int LOG_TAIL_CHARS = 2_000;

  private final String name;
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final Path log;

  private ExternalClient(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
  }

  /**
   * Starts {@code python client_worker.py args...} with the SDK in {@code sdk} and the bench's
   * files on its path and the token in its environment.
   */
  static ExternalClient start(String name, Path python, PythonFiles files, Path sdk, String token,
                              List<String> args) {
    List<String> command = new ArrayList<>(List.of(python.toString(),
        files.file(PythonFiles.CLIENT_WORKER).toString()));
    command.addAll(args);
    Path log = files.file(name + ".stderr");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
    builder.environment().put("PYTHONPATH", sdk + File.pathSeparator + files.directory());
    builder.environment().put(TOKEN_VARIABLE, token);
    try {
      return new ExternalClient(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the external client " + name, e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** The next line the program prints; fails with its stderr if it ends instead. */
  String readLine() {
    try {
      String line = out.readLine();
      if (line == null) {
        throw failure("ended");
      }
      return line;
    } catch (IOException e) {
      throw failure("could not be read (" + e.getMessage() + ")");
    }
  }

  /** Waits for the program to print {@code expected}. */
  void expect(String expected) {
    String line = readLine();
    if (!line.equals(expected)) {
      throw failure("printed '" + line + "' instead of '" + expected + "'");
    }
  }

  /** Writes one command line and returns the program's answer to it. */
  String ask(String command) {
    try {
      in.write(command + "\n");
      in.flush();
    } catch (IOException e) {
      throw failure("took no command (" + e.getMessage() + ")");
    }
    return readLine();
  }

  /** Closes its stdin, which ends it; kills it if it has not ended within a few seconds. */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // it is gone already
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private BenchFailure failure(String what) {
    String stderr;
    try {
      stderr = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      stderr = "(stderr unreadable: " + e.getMessage() + ")";
    }
    if (stderr.length() > LOG_TAIL_CHARS) {
      stderr = "..." + stderr.substring(stderr.length() - LOG_TAIL_CHARS);
    }
    return new BenchFailure("external client " + name + " (pid " + process.pid() + ") " + what
        + (stderr.isBlank() ? "" : "; its stderr:\n" + stderr));
  }
}
