package io.commbus.bus.impl;

import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.HandlerFailedException;
import io.commbus.bus.error.NoHandlerException;
import io.commbus.bus.internal.Wire;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ReplyFailuresTest {

  private static CommBusException map(Throwable failure) {
    return ReplyFailures.of(failure, "GetPrice", Duration.ofMillis(250));
  }

  @Test
  void theEventBusOwnFailuresGetTheirCodes() {
    assertInstanceOf(NoHandlerException.class, map(new ReplyException(ReplyFailure.NO_HANDLERS, "none")));
    CommBusException timeout = map(new ReplyException(ReplyFailure.TIMEOUT, "late"));
    assertInstanceOf(BusTimeoutException.class, timeout);
    assertEquals("no reply for GetPrice within 250 ms", timeout.getMessage());
  }

  @Test
  void aHandlersErrorArrivesAsItWasSent() {
    CommBusException sent = new CommBusException(ErrorCode.HANDLER_FAILED, "no price for ACME", "java.lang.Exception", null);
    CommBusException back = map(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Wire.ERROR_REPLY_CODE,
        sent.toJson().encode()));
    assertEquals(ErrorCode.HANDLER_FAILED, back.code());
    assertEquals("no price for ACME", back.getMessage());
    assertEquals("java.lang.Exception", back.remoteType());
  }

  @Test
  void aMalformedErrorReplyBreaksTheProtocol() {
    assertEquals(ErrorCode.PROTOCOL, map(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, Wire.ERROR_REPLY_CODE,
        "not json")).code());
  }

  @Test
  void aPlainVertxFailureIsTheHandlersFailure() {
    CommBusException failed = map(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, 500, "boom"));
    assertInstanceOf(HandlerFailedException.class, failed);
    assertEquals("boom", failed.getMessage());
  }

  @Test
  void anythingElseIsInternal() {
    assertEquals(ErrorCode.INTERNAL, map(new IllegalStateException("closed")).code());
  }
}
