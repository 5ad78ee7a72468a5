package io.commbus.process.wire;

import io.commbus.process.wire.Protocol.CallOp;
import io.commbus.process.wire.Protocol.FailReason;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.Protocol.HandlerKind;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolTest {

  @Test
  void wireNamesAreTheSpecsSpelling() {
    assertEquals(List.of("hello", "welcome", "ready", "fail", "req", "call", "res", "item", "items", "end", "err",
        "credit", "cancel", "ping", "pong", "bye", "log"), EnumSet.allOf(FrameKind.class).stream().map(FrameKind::wireName)
        .toList());
    assertEquals("subscribe", CallOp.SUBSCRIBE.wireName());
    assertEquals("stream", HandlerKind.STREAM.wireName());
    assertEquals("bad-token", FailReason.BAD_TOKEN.wireName());
    assertEquals("version-mismatch", FailReason.VERSION_MISMATCH.wireName());
    // Python's logging level names, in lower case; the node's log has nothing above ERROR.
    assertEquals(List.of("debug", "info", "warning", "error", "critical"), EnumSet.allOf(Protocol.LogLevel.class)
        .stream().map(Protocol.LogLevel::wireName).toList());
    assertEquals(System.Logger.Level.ERROR, Protocol.LogLevel.CRITICAL.nodeLevel());
  }

  @Test
  void wireNamesReadBackAndUnknownOnesAreNone() {
    for (FrameKind kind : FrameKind.values()) {
      assertEquals(kind, FrameKind.fromWireName(kind.wireName()));
    }
    for (CallOp op : CallOp.values()) {
      assertEquals(op, CallOp.fromWireName(op.wireName()));
    }
    assertNull(FrameKind.fromWireName("ITEMS"));
    assertNull(FrameKind.fromWireName(null));
    assertNull(CallOp.fromWireName("teleport"));
    assertNull(HandlerKind.fromWireName("generator"));
    assertEquals(FailReason.IMPORT, FailReason.fromWireName("import"));
    assertEquals(FailReason.PROTOCOL, FailReason.fromWireName("no-such-reason"));
  }

  @Test
  void aChildSendsOnlyWhatTheSpecLetsItSend() {
    assertEquals(EnumSet.of(FrameKind.WELCOME, FrameKind.REQ, FrameKind.PING, FrameKind.BYE),
        EnumSet.complementOf(EnumSet.copyOf(FrameKind.FROM_CHILD)));
    assertTrue(HandlerKind.STREAM.streams());
    assertFalse(HandlerKind.ASYNC.streams());
  }
}
