package io.commbus.bus.error;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

class CommBusExceptionTest {

  @Test
  void everyCodeSurvivesItsWireForm() {
    for (ErrorCode code : ErrorCode.values()) {
      CommBusException original = CommBusException.of(code, "went wrong", "python.ValueError");
      CommBusException back = CommBusException.fromJson(new JsonObject(original.toJson().encode()));
      assertEquals(code, back.code());
      assertEquals("went wrong", back.getMessage());
      assertEquals(original.getClass(), back.getClass());
    }
  }

  @Test
  void codesAreRebuiltAsTheirSubclass() {
    assertInstanceOf(NoHandlerException.class, CommBusException.of(ErrorCode.NO_HANDLER, "x"));
    assertInstanceOf(BusTimeoutException.class, CommBusException.of(ErrorCode.TIMEOUT, "x"));
    assertInstanceOf(HandlerFailedException.class, CommBusException.of(ErrorCode.HANDLER_FAILED, "x"));
    assertInstanceOf(RejectedException.class, CommBusException.of(ErrorCode.REJECTED, "x"));
    assertInstanceOf(OverloadedException.class, CommBusException.of(ErrorCode.OVERLOADED, "x"));
    assertInstanceOf(CancelledException.class, CommBusException.of(ErrorCode.CANCELLED, "x"));
  }

  @Test
  void anUnknownCodeFromANewerPeerBecomesInternal() {
    CommBusException error = CommBusException.fromJson(new JsonObject().put("code", "FROM_THE_FUTURE")
        .put("message", "m"));
    assertEquals(ErrorCode.INTERNAL, error.code());
  }

  @Test
  void wrapKeepsBusErrorsAndNamesOthers() {
    OverloadedException overloaded = new OverloadedException("busy");
    assertSame(overloaded, CommBusException.wrap(overloaded, ErrorCode.HANDLER_FAILED));
    CommBusException wrapped = CommBusException.wrap(new IllegalStateException("bad"), ErrorCode.HANDLER_FAILED);
    assertEquals(ErrorCode.HANDLER_FAILED, wrapped.code());
    assertEquals("bad", wrapped.getMessage());
    assertEquals(IllegalStateException.class.getName(), wrapped.remoteType());
  }
}
