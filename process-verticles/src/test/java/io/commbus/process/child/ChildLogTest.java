package io.commbus.process.child;

import io.commbus.process.LogCapture;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code log} frames as the node logs them, also from a child that does not keep to the protocol's bounds. */
class ChildLogTest {

  private static Frame log(String level, String message) {
    return Frame.of(Frame.header(FrameKind.LOG).put(Protocol.LEVEL, level).put(Protocol.LOGGER, "orders")
        .put(Protocol.MESSAGE, message));
  }

  @Test
  void aMessageOverTheBoundIsClippedAndSaysHowMuchWasLeftOut() {
    try (LogCapture capture = LogCapture.of("python.orders")) {
      new ChildLog("pool#0").record(log("warning", "x".repeat(Protocol.MAX_LOG_TEXT + 7)));
      LogRecord record = capture.records().get(0);
      assertEquals(Level.WARNING, record.getLevel());
      assertEquals("[pool#0] " + "x".repeat(Protocol.MAX_LOG_TEXT) + "... (7 more characters not logged)",
          record.getMessage());
    }
  }

  @Test
  void anUnknownLevelBreaksTheProtocol() {
    ProtocolViolation broken = assertThrows(ProtocolViolation.class,
        () -> new ChildLog("pool#0").record(log("verbose", "hi")));
    assertTrue(broken.getMessage().contains("unknown level \"verbose\""), broken.getMessage());
  }
}
