package io.commbus.process.child;

import io.commbus.process.wire.Frame;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.LogLevel;
import io.commbus.process.wire.ProtocolViolation;

import java.util.HashMap;
import java.util.Map;

/**
 * A child's logging in the node's log: each {@code log} frame becomes one record at its level,
 * under a logger named after the child's ({@code python.} and the Python logger's name), with
 * the child's tag, the trace of the request it was logged in, and its traceback in the same
 * record. What a child prints to stdout and stderr keeps going through {@link OutputPump}.
 */
final class ChildLog {

  /** The node's loggers for a child's records are named {@code python.NAME}; the root logger's is {@code python}. */
  static final String LOGGER_PREFIX = "python";
  private static final String ROOT = "root";
  /** Logger names kept; a program making names up gets its records under {@link #LOGGER_PREFIX} beyond these. */
  private static final int MAX_LOGGERS = 256;

  private final String childId;
  private final Map<String, System.Logger> loggers = new HashMap<>();
  private final System.Logger fallback = System.getLogger(LOGGER_PREFIX);

  ChildLog(String childId) {
    this.childId = childId;
  }

  /** Logs the record a {@code log} frame carries; a frame without a known level or a message breaks the protocol. */
  void record(Frame frame) {
    String levelName = Headers.requireString(frame, Protocol.LEVEL);
    LogLevel level = LogLevel.fromWireName(levelName);
    if (level == null) {
      throw new ProtocolViolation("log frame has unknown level \"" + levelName + "\"");
    }
    String message = clip(Headers.requireString(frame, Protocol.MESSAGE));
    System.Logger logger = logger(Headers.optionalString(frame, Protocol.LOGGER));
    if (!logger.isLoggable(level.nodeLevel())) {
      return;
    }
    StringBuilder text = new StringBuilder().append('[').append(childId).append("] ").append(message);
    String traceId = TraceScope.traceId(Headers.optionalString(frame, Protocol.TRACEPARENT));
    if (traceId != null) {
      text.append(" [trace ").append(traceId).append(']');
    }
    long dropped = Headers.optionalLong(frame, Protocol.DROPPED, 0);
    if (dropped > 0) {
      text.append(" [").append(dropped).append(dropped == 1 ? " record" : " records")
          .append(" dropped before this one: the child's socket was full]");
    }
    String traceback = clip(Headers.optionalString(frame, Protocol.TRACEBACK));
    if (traceback != null && !traceback.isEmpty()) {
      text.append('\n').append(traceback.stripTrailing());
    }
    logger.log(level.nodeLevel(), text.toString());
  }

  private System.Logger logger(String name) {
    if (name == null || name.isEmpty() || name.equals(ROOT)) {
      return fallback;
    }
    System.Logger logger = loggers.get(name);
    if (logger == null) {
      if (loggers.size() >= MAX_LOGGERS) {
        return fallback;
      }
      logger = System.getLogger(LOGGER_PREFIX + "." + name);
      loggers.put(name, logger);
    }
    return logger;
  }

  /**
   * The protocol's bound on a record's text, held here too: a child that does not keep to it
   * (not the SDK, which clips its own) cannot put megabytes into one line of the node's log.
   */
  private static String clip(String text) {
    if (text == null || text.length() <= Protocol.MAX_LOG_TEXT) {
      return text;
    }
    return text.substring(0, Protocol.MAX_LOG_TEXT) + "... (" + (text.length() - Protocol.MAX_LOG_TEXT)
        + " more characters not logged)";
  }
}
