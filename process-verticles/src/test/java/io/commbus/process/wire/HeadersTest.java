package io.commbus.process.wire;

import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HeadersTest {

  private static Frame credit(JsonObject fields) {
    return Frame.of(Frame.header(FrameKind.CREDIT).mergeIn(fields));
  }

  private static void assertViolation(String expected, Runnable read) {
    ProtocolViolation violation = assertThrows(ProtocolViolation.class, read::run);
    assertEquals(ErrorCode.PROTOCOL, violation.code());
    assertEquals(expected, violation.getMessage());
  }

  @Test
  void aMissingFieldNamesTheFrameAndTheField() {
    Frame frame = credit(new JsonObject().put(Protocol.ID, 3));

    assertViolation("frame 'credit' needs integer field 'n'", () -> Headers.requireLong(frame, Protocol.COUNT));
    assertViolation("frame 'credit' needs string field 'type'", () -> Headers.requireString(frame, Protocol.TYPE));
  }

  @Test
  void aFieldOfTheWrongTypeSaysWhatItGot() {
    Frame frame = credit(new JsonObject().put(Protocol.ID, "three").put(Protocol.COUNT, 1.5)
        .put(Protocol.TYPE, 7));

    assertViolation("frame 'credit' needs integer field 'id', got \"three\"", () -> Headers.requireLong(frame, Protocol.ID));
    assertViolation("frame 'credit' needs integer field 'n', got 1.5", () -> Headers.requireLong(frame, Protocol.COUNT));
    assertViolation("frame 'credit' needs string field 'type', got 7", () -> Headers.optionalString(frame, Protocol.TYPE));
  }

  @Test
  void boundsAreChecked() {
    Frame frame = credit(new JsonObject().put(Protocol.COUNT, 0).put(Protocol.ID, 1L << 40)
        .put(Protocol.TYPE, "  "));

    assertViolation("frame 'credit' needs positive integer field 'n', got 0",
        () -> Headers.requirePositiveInt(frame, Protocol.COUNT));
    assertViolation("frame 'credit' needs positive 32-bit integer field 'id', got " + (1L << 40),
        () -> Headers.requirePositiveInt(frame, Protocol.ID));
    assertViolation("frame 'credit' needs non-blank string field 'type', got \"  \"",
        () -> Headers.requireNonBlank(frame, Protocol.TYPE));
  }

  @Test
  void presentFieldsAreReadAndAbsentOptionalOnesFallBack() {
    Frame frame = credit(new JsonObject().put(Protocol.ID, 3).put(Protocol.COUNT, 128).put(Protocol.TYPE, "orders"));

    assertEquals(3, Headers.requireLong(frame, Protocol.ID));
    assertEquals(128, Headers.requirePositiveInt(frame, Protocol.COUNT));
    assertEquals("orders", Headers.requireNonBlank(frame, Protocol.TYPE));
    assertEquals(-1, Headers.optionalLong(frame, Protocol.DEADLINE, -1));
    assertEquals(256, Headers.optionalPositiveInt(frame, Protocol.CREDIT, 256));
    assertNull(Headers.optionalString(frame, Protocol.TRACEPARENT));
  }
}
