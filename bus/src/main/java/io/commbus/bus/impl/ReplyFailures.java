package io.commbus.bus.impl;

import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.HandlerFailedException;
import io.commbus.bus.error.NoHandlerException;
import io.commbus.bus.internal.Wire;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;

/** Maps a failed event-bus request to the bus's error codes. */
final class ReplyFailures {

  private ReplyFailures() {
  }

  /**
   * The error a caller sees for {@code failure}: no handler, no reply in time, the handler's
   * own error as it sent it back, or INTERNAL for anything else.
   */
  static CommBusException of(Throwable failure, String type, Duration timeout) {
    if (failure instanceof ReplyException) {
      ReplyException reply = (ReplyException) failure;
      switch (reply.failureType()) {
        case NO_HANDLERS:
          return new NoHandlerException("no handler for " + type);
        case TIMEOUT:
          return new BusTimeoutException("no reply for " + type + " within " + timeout.toMillis() + " ms");
        case RECIPIENT_FAILURE:
          return recipientFailure(reply);
        default:
          break;
      }
    }
    return CommBusException.wrap(failure, ErrorCode.INTERNAL);
  }

  private static CommBusException recipientFailure(ReplyException reply) {
    if (reply.failureCode() == Wire.ERROR_REPLY_CODE) {
      try {
        return CommBusException.fromJson(new JsonObject(reply.getMessage()));
      } catch (RuntimeException malformed) {
        return new CommBusException(ErrorCode.PROTOCOL, "malformed error reply: " + reply.getMessage());
      }
    }
    // A consumer outside commbus failed the message the plain Vert.x way.
    return new HandlerFailedException(reply.getMessage(), ReplyException.class.getName());
  }
}
