package io.commbus.bus.error;

import io.vertx.core.json.JsonObject;

/**
 * The root of every error the bus reports. Each error has a stable {@link ErrorCode}; errors
 * that happened on another node or in another process also carry the remote error's type
 * and message, so the caller sees what went wrong where it went wrong.
 */
public class CommBusException extends RuntimeException {

  private final ErrorCode code;
  private final String remoteType;
  private final String remoteTrace;

  public CommBusException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  public CommBusException(ErrorCode code, String message, Throwable cause) {
    this(code, message, null, cause);
  }

  public CommBusException(ErrorCode code, String message, String remoteType, Throwable cause) {
    this(code, message, remoteType, null, cause);
  }

  /** An error that happened elsewhere, with the remote side's own stack trace (a Python traceback, say). */
  public CommBusException(ErrorCode code, String message, String remoteType, String remoteTrace, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.remoteType = remoteType;
    this.remoteTrace = remoteTrace;
  }

  public ErrorCode code() {
    return code;
  }

  /** The class (or language-specific type) of the original error when it happened remotely. */
  public String remoteType() {
    return remoteType;
  }

  /** The remote error's stack trace as its own runtime formatted it; null when there is none. */
  public String remoteTrace() {
    return remoteTrace;
  }

  @Override
  public String toString() {
    return code + ": " + getMessage() + (remoteType == null ? "" : " [" + remoteType + "]");
  }

  /** The wire form of this error: {@code {"code", "message", "remoteType"}}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("code", code.name()).put("message", getMessage());
    if (remoteType != null) {
      json.put("remoteType", remoteType);
    }
    if (remoteTrace != null) {
      json.put("remoteTrace", remoteTrace);
    }
    return json;
  }

  /** Rebuilds an error from its wire form, as the most specific subclass for its code. */
  public static CommBusException fromJson(JsonObject json) {
    ErrorCode code = ErrorCode.fromName(json.getString("code"));
    return of(code, json.getString("message", code.name()), json.getString("remoteType"),
        json.getString("remoteTrace"));
  }

  /** An error for {@code code}, as the subclass callers catch for that code. */
  public static CommBusException of(ErrorCode code, String message) {
    return of(code, message, null);
  }

  /** Same as {@link #of(ErrorCode, String)}, with the remote error's type. */
  public static CommBusException of(ErrorCode code, String message, String remoteType) {
    return of(code, message, remoteType, null);
  }

  /** Same as {@link #of(ErrorCode, String, String)}, with the remote error's stack trace. */
  public static CommBusException of(ErrorCode code, String message, String remoteType, String remoteTrace) {
    if (remoteTrace != null) {
      return code == ErrorCode.HANDLER_FAILED ? new HandlerFailedException(message, remoteType, remoteTrace)
          : new CommBusException(code, message, remoteType, remoteTrace, null);
    }
    switch (code) {
      case NO_HANDLER:
        return new NoHandlerException(message);
      case TIMEOUT:
        return new BusTimeoutException(message);
      case HANDLER_FAILED:
        return new HandlerFailedException(message, remoteType);
      case REJECTED:
        return new RejectedException(message, null);
      case OVERLOADED:
        return new OverloadedException(message);
      case CANCELLED:
        return new CancelledException(message);
      case NODE_LEFT:
        return new NodeLeftException(message);
      default:
        return new CommBusException(code, message, remoteType, null);
    }
  }

  /**
   * The error a failure should be reported as: a {@code CommBusException} stays what it is,
   * anything else becomes {@code fallback} with the original as its remote type.
   */
  public static CommBusException wrap(Throwable failure, ErrorCode fallback) {
    if (failure instanceof CommBusException) {
      return (CommBusException) failure;
    }
    String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    return new CommBusException(fallback, message, failure.getClass().getName(), failure);
  }
}
