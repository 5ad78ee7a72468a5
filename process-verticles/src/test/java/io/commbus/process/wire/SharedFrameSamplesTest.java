package io.commbus.process.wire;

import io.commbus.bus.error.CommBusException;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shared sample frames of protocol/frames (part of the spec, docs/protocol.md), held to the
 * Java decoder and encoder by the rule in protocol/frames/README.md. The Python suite holds the
 * SDK to the same files (python-sdk/tests/test_shared_frames.py), so the sides cannot drift.
 */
class SharedFrameSamplesTest {

  private static final Path SAMPLES = locateSamples();
  private static final JsonObject MANIFEST = new JsonObject(read("manifest.json"));
  private static final int MAX_FRAME = MANIFEST.getInteger("maxFrame");

  private static Path locateSamples() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("protocol").resolve("frames");
      if (Files.isRegularFile(candidate.resolve("manifest.json"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("protocol/frames/manifest.json not found above " + Path.of("").toAbsolutePath());
  }

  private static Buffer read(String file) {
    try {
      return Buffer.buffer(Files.readAllBytes(SAMPLES.resolve(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<JsonObject> samples(boolean valid) {
    return MANIFEST.getJsonArray("frames").stream().map(JsonObject.class::cast)
        .filter(sample -> sample.getBoolean("valid") == valid);
  }

  /** What a parser accepting every kind of version 1 made of {@code bytes}. */
  private static final class Parsed {
    final List<Frame> frames = new ArrayList<>();
    final List<ProtocolViolation> violations = new ArrayList<>();

    Parsed(Buffer bytes) {
      FrameParser parser = new FrameParser(MAX_FRAME, EnumSet.allOf(FrameKind.class), frames::add, violations::add);
      parser.handle(bytes);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyKindOfVersionOneHasASample() {
    List<String> kinds = samples(true).map(sample -> sample.getString("kind")).toList();
    return EnumSet.allOf(FrameKind.class).stream().map(kind -> DynamicTest.dynamicTest(kind.wireName(),
        () -> assertTrue(kinds.contains(kind.wireName()), "no sample of " + kind.wireName())));
  }

  @TestFactory
  Stream<DynamicTest> validSamplesDecodeToTheManifestAndEncodeToTheirOwnBytes() {
    return samples(true).map(sample -> DynamicTest.dynamicTest(sample.getString("file"), () -> {
      Buffer bytes = read(sample.getString("file"));
      Parsed parsed = new Parsed(bytes);
      assertEquals(List.of(), parsed.violations);
      assertEquals(1, parsed.frames.size(), "frames in " + sample.getString("file"));
      Frame frame = parsed.frames.get(0);

      assertEquals(sample.getString("kind"), frame.kind().wireName());
      assertEquals(sample.getJsonObject("header"), frame.header());
      JsonObject body = sample.getJsonObject("body");
      Object value = frame.value();
      if (body == null) {
        assertNull(frame.body());
      } else if (body.containsKey("raw_hex")) {
        assertArrayEquals(HexFormat.of().parseHex(body.getString("raw_hex")), ((Buffer) value).getBytes());
      } else {
        assertEquals(body.getValue("json"), value);
      }

      // Encoded again from the decoded values, as a sender would build it: the header without
      // its body encoding, and the value, which the encoder turns into the body and its "b".
      JsonObject header = frame.header().copy();
      header.remove(Protocol.BODY);
      Frame rebuilt = body == null ? Frame.of(header) : Frame.withValue(header, copyOf(value));
      assertArrayEquals(bytes.getBytes(), FrameCodec.encode(rebuilt).getBytes(), "re-encoded " + sample.getString("file"));
    }));
  }

  @TestFactory
  Stream<DynamicTest> validSamplesReassembleFromEveryByteBoundary() {
    return samples(true).map(sample -> DynamicTest.dynamicTest(sample.getString("file"), () -> {
      byte[] bytes = read(sample.getString("file")).getBytes();
      List<Frame> frames = new ArrayList<>();
      FrameParser parser = new FrameParser(MAX_FRAME, EnumSet.allOf(FrameKind.class), frames::add,
          violation -> fail("split input broke the parser: " + violation.getMessage()));
      for (byte b : bytes) {
        parser.handle(Buffer.buffer(new byte[] {b}));
      }
      assertEquals(1, frames.size());
      assertEquals(sample.getJsonObject("header"), frames.get(0).header());
    }));
  }

  @TestFactory
  Stream<DynamicTest> malformedSamplesFailWithTheirCodeAndYieldNoFrame() {
    return samples(false).map(sample -> DynamicTest.dynamicTest(sample.getString("file"), () -> {
      Parsed parsed = new Parsed(read(sample.getString("file")));
      String code = sample.getString("error");
      if (parsed.violations.isEmpty()) {
        // A JSON body is parsed when it is read; its receiver reports the same code then.
        assertEquals(1, parsed.frames.size(), "neither a frame nor a failure from " + sample.getString("file"));
        CommBusException failure = assertThrows(ProtocolViolation.class, () -> parsed.frames.get(0).value());
        assertEquals(code, failure.code().name());
      } else {
        assertEquals(List.of(), parsed.frames);
        assertEquals(1, parsed.violations.size());
        assertEquals(code, parsed.violations.get(0).code().name());
      }
    }));
  }

  @org.junit.jupiter.api.Test
  void anOversizedFrameIsRefusedFromItsLengthAlone() {
    Buffer start = read("bad_frame_too_large.frame").getBuffer(0, Protocol.LENGTH_FIELD_BYTES);
    Parsed parsed = new Parsed(start);
    assertEquals(1, parsed.violations.size());
    assertEquals(List.of(), parsed.frames);
  }

  /** A decoded JSON value as a sender would hold it, so re-encoding starts from values, not from the parse. */
  private static Object copyOf(Object value) {
    if (value instanceof JsonObject) {
      return ((JsonObject) value).copy();
    }
    if (value instanceof JsonArray) {
      return ((JsonArray) value).copy();
    }
    return value;
  }
}
