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
 * blocks, so each stream gets its own daemon thread rather than an event loop.
 */
public final class OutputPump {

  private static final System.Logger LOG = System.getLogger("io.commbus.process.child");
  private static final int KEPT_LINES = 20;

  private final Deque<String> lastLines = new ArrayDeque<>();
  private final Thread thread;

  public OutputPump(String tag, String streamName, InputStream stream) {
    System.Logger.Level level = "stderr".equals(streamName) ? System.Logger.Level.WARNING : System.Logger.Level.INFO;
    this.thread = new Thread(() -> pump(tag + " " + streamName, stream, level), "commbus-" + tag + "-" + streamName);
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** The last lines read, oldest first. */
  public List<String> lastLines() {
    synchronized (lastLines) {
      return new ArrayList<>(lastLines);
    }
  }

  /** Waits a little for the stream to drain, so lines printed just before an exit are kept. */
  public void awaitEnd(long millis) {
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pump(String tag, InputStream stream, System.Logger.Level level) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        synchronized (lastLines) {
          if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
          }
          lastLines.addLast(line);
        }
        LOG.log(level, "[" + tag + "] " + line);
      }
    } catch (IOException e) {
      // The child went away; its exit is reported by the supervisor.
    }
  }
}
