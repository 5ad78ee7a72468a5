package io.commbus.process.wire;

import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {

  private static final Set<FrameKind> ALL = EnumSet.of(FrameKind.REQ, FrameKind.RES, FrameKind.ITEM, FrameKind.ITEMS,
      FrameKind.END, FrameKind.ERR, FrameKind.HELLO);

  private final List<Frame> frames = new ArrayList<>();
  private final List<ProtocolViolation> errors = new ArrayList<>();

  private FrameParser parser(int max) {
    return new FrameParser(max, ALL, frames::add, errors::add);
  }

  @Test
  void jsonRawAndEmptyBodiesRoundTrip() {
    Buffer out = Buffer.buffer();
    String type = "odd \"type\" \\ with \u0001 control, ünïcode and 日本";
    FrameCodec.encode(Frame.withValue(Frame.header(FrameKind.REQ, 7).put(Protocol.TYPE, type),
        new JsonObject().put("symbol", "AAPL")), out);
    FrameCodec.encode(Frame.withValue(Frame.header(FrameKind.RES, 8), Buffer.buffer(new byte[] {0, 1, 2})),
        out);
    FrameCodec.encode(Frame.of(FrameKind.END, 9), out);

    parser(1024).handle(out);

    assertEquals(List.of(), errors);
    assertEquals(3, frames.size());
    assertEquals(type, frames.get(0).header().getString(Protocol.TYPE));
    assertEquals(new JsonObject().put("symbol", "AAPL"), frames.get(0).value());
    assertEquals(Buffer.buffer(new byte[] {0, 1, 2}), frames.get(1).value());
    assertEquals(Protocol.BODY_RAW, frames.get(1).header().getString(Protocol.BODY));
    assertNull(frames.get(2).body());
    assertNull(frames.get(2).value());
  }

  @Test
  void framesSplitAtEveryByteBoundaryAreReassembled() {
    Buffer out = Buffer.buffer();
    FrameCodec.encode(Frame.withValue(Frame.header(FrameKind.RES, 1), new JsonObject().put("a", 1)), out);
    FrameCodec.encode(Frame.of(FrameKind.END, 2), out);
    FrameParser parser = parser(1024);

    for (int i = 0; i < out.length(); i++) {
      parser.handle(out.getBuffer(i, i + 1));
    }

    assertEquals(List.of(), errors);
    assertEquals(2, frames.size());
    assertEquals(new JsonObject().put("a", 1), frames.get(0).value());
    assertEquals(FrameKind.END, frames.get(1).kind());
  }

  @Test
  void malformedFramesAreProtocolErrorsNamingTheProblem() {
    assertProtocolError(Buffer.buffer().appendInt(2_000_000), 1024, "exceeds the maximum of 1024");
    assertProtocolError(Buffer.buffer().appendInt(3).appendBytes(new byte[3]), 1024, "shorter than its header");
    assertProtocolError(Buffer.buffer().appendInt(6).appendInt(50).appendString("{}"), 1024, "does not fit");
    assertProtocolError(frame("[1,2]", ""), 1024, "not a JSON object");
    assertProtocolError(frame("{\"t\":\"nope\"}", ""), 1024, "unknown frame kind \"nope\"");
    assertProtocolError(frame("{\"id\":1}", ""), 1024, "missing \"t\"");
    assertProtocolError(frame("{\"t\":\"res\"}", "xyz"), 1024, "no \"b\" encoding");
    assertProtocolError(frame("{\"t\":\"res\",\"b\":\"z\"}", "xyz"), 1024, "unknown body encoding");
  }

  @Test
  void afterAProtocolErrorTheParserIgnoresTheRest() {
    FrameParser parser = parser(1024);
    parser.handle(frame("{\"t\":\"nope\"}", ""));
    parser.handle(frame("{\"t\":\"end\",\"id\":1}", ""));

    assertEquals(1, errors.size());
    assertEquals(List.of(), frames);
  }

  private static Buffer frame(String header, String body) {
    byte[] h = header.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Buffer.buffer().appendInt(4 + h.length + b.length).appendInt(h.length).appendBytes(h).appendBytes(b);
  }

  private void assertProtocolError(Buffer input, int max, String expected) {
    errors.clear();
    frames.clear();
    parser(max).handle(input);
    assertEquals(1, errors.size(), "one error for " + expected);
    assertEquals(ErrorCode.PROTOCOL, errors.get(0).code());
    assertTrue(errors.get(0).getMessage().contains(expected), errors.get(0).getMessage());
    assertEquals(List.of(), frames);
  }
}
