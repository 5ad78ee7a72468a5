package io.commbus.process.child;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.json.JsonObject;

/** The {@code err} frame both ways: a bus error written for the child, and one read from it. */
final class ErrorFrames {

  private ErrorFrames() {
  }

  /** The {@code err} frame that fails exchange {@code id} with {@code error}. */
  static Frame of(long id, CommBusException error) {
    JsonObject header = Frame.header(FrameKind.ERR, id).put(Protocol.CODE, error.code().name())
        .put(Protocol.MESSAGE, error.getMessage() == null ? error.code().name() : error.getMessage());
    if (error.remoteType() != null) {
      header.put(Protocol.ERROR_TYPE, error.remoteType());
    }
    if (error.remoteTrace() != null) {
      header.put(Protocol.TRACEBACK, error.remoteTrace());
    }
    return Frame.of(header);
  }

  /** The error an {@code err} frame carries; a code this side does not know reads as INTERNAL. */
  static CommBusException read(Frame frame) {
    ErrorCode code = ErrorCode.fromName(Headers.optionalString(frame, Protocol.CODE));
    String message = Headers.optionalString(frame, Protocol.MESSAGE);
    return CommBusException.of(code, message == null ? code.name() : message,
        Headers.optionalString(frame, Protocol.ERROR_TYPE), Headers.optionalString(frame, Protocol.TRACEBACK));
  }
}
