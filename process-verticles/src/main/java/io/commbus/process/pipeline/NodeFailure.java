package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * Why one node of a session failed, as it reported it or as its process ended.
 *
 * @param node        the node's id
 * @param origin      where the failure came from
 * @param code        the error its outputs ended with, or what its exit means
 * @param message     one readable sentence (the exception, or the exit)
 * @param remoteType  the Python exception's qualified name; null for an exit
 * @param remoteTrace its traceback; null for an exit
 */
public record NodeFailure(String node, Origin origin, ErrorCode code, String message, String remoteType,
                          String remoteTrace) {

  /** Where a node's failure came from. */
  public enum Origin {
    /** The node's function raised by itself. */
    NODE,
    /** Its process ended without its function having finished: it crashed, or was killed. */
    PROCESS,
    /** An input's error passed through it: a node upstream failed. */
    INPUT,
    /** One of its outputs' readers went away: a node downstream failed. */
    OUTPUT;

    /** Whether the node failed by itself rather than through a neighbour's failure. */
    public boolean own() {
      return this == NODE || this == PROCESS;
    }
  }

  /** What a node's {@code failed} event says. */
  static NodeFailure reported(String node, JsonObject event) {
    Origin origin = switch (String.valueOf(event.getValue("origin"))) {
      case "input" -> Origin.INPUT;
      case "output" -> Origin.OUTPUT;
      case "process" -> Origin.PROCESS;
      default -> Origin.NODE;
    };
    return new NodeFailure(node, origin, ErrorCode.fromName(event.getString("code")),
        String.valueOf(event.getValue("message")), event.getString("type"), event.getString("trace"));
  }

  /** This failure as a {@code failed} event, as a node's runner sends it and {@link #reported} reads it. */
  JsonObject toEvent() {
    JsonObject event = new JsonObject().put("event", "failed").put("origin", origin.name().toLowerCase(Locale.ROOT))
        .put("code", code.name()).put("message", message);
    if (remoteType != null) {
      event.put("type", remoteType);
    }
    if (remoteTrace != null) {
      event.put("trace", remoteTrace);
    }
    return event;
  }

  /** The same failure, its message followed by {@code note} in parentheses. */
  NodeFailure after(String note) {
    return new NodeFailure(node, origin, code, message + " (after " + note + ")", remoteType, remoteTrace);
  }

  /** A failure as a bus error with {@code code}: the node, then what happened, with the remote type and trace. */
  CommBusException toException(ErrorCode as, String prefix) {
    return CommBusException.of(as, prefix + describe(), remoteType, remoteTrace);
  }

  /** {@code node gate failed: HANDLER_FAILED ValueError: bad frame}, or {@code node gate: child s/gate (pid 42) exited ...}. */
  public String describe() {
    return origin == Origin.PROCESS ? "node " + node + ": " + message
        : "node " + node + " failed: " + code.name() + " " + message;
  }
}
