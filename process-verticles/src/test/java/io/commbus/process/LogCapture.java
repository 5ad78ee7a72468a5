package io.commbus.process;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The node's log records under some loggers while a test runs, and a future for the first
 * record that contains a text: what a test waits on instead of polling. Close it to let go.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final List<Logger> loggers;
  private final List<Level> levels;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Map<String, Promise<Void>> expected = new ConcurrentHashMap<>();

  private LogCapture(List<Logger> loggers) {
    this.loggers = loggers;
    this.levels = loggers.stream().map(Logger::getLevel).toList();
    setLevel(Level.ALL);
    loggers.forEach(logger -> logger.addHandler(this));
  }

  /** Captures the records of {@code names} (and the loggers below them) at every level they let through. */
  public static LogCapture of(String... names) {
    return new LogCapture(List.of(names).stream().map(Logger::getLogger).toList());
  }

  /** The same, and lets every level through {@code names}, DEBUG included. */
  public static LogCapture everything(String... names) {
    LogCapture capture = of(names);
    capture.loggers.forEach(logger -> logger.setLevel(Level.ALL));
    return capture;
  }

  public List<LogRecord> records() {
    return List.copyOf(records);
  }

  /** Completes once a record containing {@code text} was published, now or before. */
  public Future<Void> seen(String text) {
    Promise<Void> seen = expected.computeIfAbsent(text, t -> Promise.promise());
    if (records.stream().anyMatch(r -> r.getMessage().contains(text))) {
      seen.tryComplete();
    }
    return seen.future();
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
    expected.forEach((text, seen) -> {
      if (record.getMessage().contains(text)) {
        seen.tryComplete();
      }
    });
  }

  @Override
  public void flush() {
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).removeHandler(this);
      loggers.get(i).setLevel(levels.get(i));
    }
  }
}
