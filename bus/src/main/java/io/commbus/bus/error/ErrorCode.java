package io.commbus.bus.error;

/**
 * Stable error codes. The names travel between nodes and into other languages, so a code
 * is never renamed or reused; new codes are only added.
 */
public enum ErrorCode {
  /** Nobody handles the message type. */
  NO_HANDLER,
  /** The deadline passed before a reply arrived. */
  TIMEOUT,
  /** The handler failed; the error carries the remote error's type and message. */
  HANDLER_FAILED,
  /** Middleware refused the message. */
  REJECTED,
  /** A limit was reached (load, buffer, queue). */
  OVERLOADED,
  /** A body could not be encoded or decoded. */
  CODEC,
  /** A peer broke the wire protocol (bad frame, out-of-order stream item). */
  PROTOCOL,
  /** A child process exited while serving the call. */
  CHILD_EXITED,
  /** A handler is already registered for this type on this bus. */
  DUPLICATE_HANDLER,
  /** The stream was cancelled by its consumer. */
  CANCELLED,
  /** The message cannot be sent as asked (wrong category, reserved header, missing type). */
  INVALID_MESSAGE,
  /** The service exists but is not healthy. */
  UNAVAILABLE,
  /** The journal could not store or read events (disk full, I/O error, closed journal). */
  STORAGE,
  /**
   * The cluster member handling the call (or producing the stream) left the cluster before it
   * answered; the message names the member. Worth retrying: another member may handle it.
   */
  NODE_LEFT,
  /**
   * The caller is not allowed to make this call: a client endpoint token without the
   * permission for the verb, or for the type it names. The caller's other calls go on.
   */
  FORBIDDEN,
  /**
   * A child process could not be started: its entry module did not import, its function is
   * missing, or it exited before it was ready. The message names the child and the cause;
   * the remote type and traceback are Python's when the import failed.
   */
  START_FAILED,
  /**
   * A pipeline session's node did not report ready within the spec's init timeout; the
   * message names the node and how long it had.
   */
  INIT_TIMEOUT,
  /**
   * A pipeline session's node failed while it started: its process exited, or its function did
   * not import or raised before it was ready. The message names the node and its exit or the
   * exception; the remote type and traceback are Python's when it raised.
   */
  NODE_CRASHED,
  /** A configured limit would be passed: sessions on this node, or processes in one session. */
  RESOURCE_LIMIT,
  /**
   * A pipeline session ended because one of its nodes failed; the message names the node and
   * the cause. A session's outputs end with it.
   */
  PIPELINE_TERMINATED,
  /** No pipeline session of that id runs here. */
  SESSION_NOT_FOUND,
  /** An error without a more precise code, including codes this node does not know. */
  INTERNAL;

  /** The code for {@code name}, or {@link #INTERNAL} for a name this version does not know. */
  public static ErrorCode fromName(String name) {
    if (name != null) {
      for (ErrorCode code : values()) {
        if (code.name().equals(name)) {
          return code;
        }
      }
    }
    return INTERNAL;
  }
}
