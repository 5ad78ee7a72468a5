package io.commbus.testhosts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process running inside a {@link TestHost}: every line it prints (stdout and stderr merged)
 * is kept, so a test can wait for one and show them all when it fails. Closing it kills it
 * and its descendants.
 */
public final class HostProcess implements AutoCloseable {

  private final TestHost host;
  private final Process process;
  private final long started = System.nanoTime();
  private final List<String> lines = new ArrayList<>();
  /** When each line came, in ms since the start, for {@link #transcript}. */
  private final List<Long> arrivals = new ArrayList<>();
  private boolean ended;

  HostProcess(TestHost host, Process process) {
    this.host = host;
    this.process = process;
    Thread reader = new Thread(this::read, "output of pid " + process.pid() + " on " + host.name());
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        synchronized (lines) {
          lines.add(line);
          arrivals.add((System.nanoTime() - started) / 1_000_000);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      synchronized (lines) {
        lines.add("(reading the output failed: " + e + ")");
        arrivals.add((System.nanoTime() - started) / 1_000_000);
      }
    } finally {
      synchronized (lines) {
        ended = true;
        lines.notifyAll();
      }
    }
  }

  public TestHost host() {
    return host;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Every line printed so far. */
  public List<String> output() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Every line printed so far, each after the time it came in ms since the start: for failure messages. */
  public String transcript() {
    synchronized (lines) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < lines.size(); i++) {
        text.append(String.format("%8d ms  %s%n", arrivals.get(i), lines.get(i)));
      }
      return text.toString();
    }
  }

  /**
   * The first line printed, since the start, that matches {@code pattern} whole; waits up to
   * {@code timeout} for it.
   *
   * @throws AssertionError when none came in time or the output ended, with everything printed
   */
  public Matcher awaitLine(Pattern pattern, Duration timeout) throws InterruptedException {
    return awaitLine(pattern, 0, timeout);
  }

  /** How many lines the process has printed so far: where {@link #awaitLine(Pattern, int, Duration)} can start. */
  public int lineCount() {
    synchronized (lines) {
      return lines.size();
    }
  }

  /**
   * The first line matching {@code pattern} whole among those printed from line {@code from}
   * (counted from 0) on; waits up to {@code timeout} for it, as {@link #awaitLine(Pattern, Duration)}.
   */
  public Matcher awaitLine(Pattern pattern, int from, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = from;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher matcher = pattern.matcher(lines.get(seen));
          if (matcher.matches()) {
            return matcher;
          }
        }
        long left = deadline - System.nanoTime();
        if (ended || left <= 0) {
          throw new AssertionError("no line matching " + pattern + " from pid " + process.pid() + " on " + host
              + (ended ? " before its output ended" : " within " + timeout.toMillis() + " ms") + ":\n"
              + transcript());
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /**
   * SIGTERM, then up to {@code grace} for the process to exit; what is left of it and its
   * descendants then is killed. Returns its exit status.
   */
  public int stop(Duration grace) throws InterruptedException {
    process.toHandle().destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
    }
    return process.waitFor();
  }

  /** Kills the process and every descendant at once (SIGKILL). */
  @Override
  public void close() {
    // Descendants first: once the parent is gone they are re-parented and no longer found from it.
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  @Override
  public String toString() {
    return "pid " + process.pid() + " on " + host;
  }
}
