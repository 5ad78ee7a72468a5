package io.commbus.process.child;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Copies a child's stdout or stderr into the node's log line by line, tagged with the child,
 * and keeps the last lines so a failed start can say what the child printed. Reading a pipe
 * blocks, so each stream gets its own daemon thread rather than an event loop. A forked child's
 * lines come relayed by its fork server instead, and are handed in with {@link #accept}.
 */
public final class OutputPump {

  private static final System.Logger LOG = System.getLogger("io.commbus.process.child");
  private static final int KEPT_LINES = 20;

  private final Deque<String> lastLines = new ArrayDeque<>();
  private final String tag;
  private final System.Logger.Level level;
  private final Thread thread;

  public OutputPump(String tag, String streamName, InputStream stream) {
    this.tag = tag + " " + streamName;
    this.level = "stderr".equals(streamName) ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
    this.thread = stream == null ? null : new Thread(() -> pump(stream), "commbus-" + tag + "-" + streamName);
    if (thread != null) {
      thread.setDaemon(true);
    }
  }

  /** Lines handed in with {@link #accept} rather than read from a stream. */
  OutputPump(String tag, String streamName) {
    this(tag, streamName, null);
  }

  public void start() {
    if (thread != null) {
      thread.start();
    }
  }

  /** Logs {@code line} and keeps it among the last lines. */
  void accept(String line) {
    synchronized (lastLines) {
      if (lastLines.size() == KEPT_LINES) {
        lastLines.removeFirst();
      }
      lastLines.addLast(line);
    }
    LOG.log(level, "[" + tag + "] " + line);
  }

  /** The last lines read, oldest first. */
  public List<String> lastLines() {
    synchronized (lastLines) {
      return new ArrayList<>(lastLines);
    }
  }

  /** Waits a little for the stream to drain, so lines printed just before an exit are kept. */
  public void awaitEnd(long millis) {
    if (thread == null) {
      return;
    }
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pump(InputStream stream) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        accept(line);
      }
    } catch (IOException e) {
      // The child went away; its exit is reported by the supervisor.
    }
  }
}
