package io.commbus.testhosts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A short command run to its end, such as one {@code ip} call: its exit status and what it printed. */
public record SystemCommand(List<String> command, int exitStatus, String output) {

  /** How long one {@code ip} or {@code kill} call may take; they answer in milliseconds. */
  static final Duration SHORT = Duration.ofSeconds(20);

  /** Runs {@code command} with stdout and stderr merged; a command still running after {@code timeout} is killed. */
  public static SystemCommand run(Duration timeout, List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    }
    try {
      process.getOutputStream().close();
      // Read on another thread, so a command that fills the pipe cannot stall its own wait.
      CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        return new SystemCommand(command, -1, "(killed after " + timeout.toMillis() + " ms) " + output.get());
      }
      return new SystemCommand(command, process.exitValue(), output.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } catch (ExecutionException | IOException e) {
      throw new IllegalStateException("cannot read the output of " + String.join(" ", command), e);
    }
  }

  static SystemCommand run(String... command) {
    return run(SHORT, List.of(command));
  }

  /** The output's lines. */
  public List<String> lines() {
    return output.lines().toList();
  }

  public boolean succeeded() {
    return exitStatus == 0;
  }

  /** This result, or an exception naming the command, its status and its output. */
  public SystemCommand check() {
    if (!succeeded()) {
      throw new IllegalStateException(describe());
    }
    return this;
  }

  public String describe() {
    return "`" + String.join(" ", command) + "` exited " + exitStatus + (output.isBlank() ? "" : ": " + output.strip());
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
