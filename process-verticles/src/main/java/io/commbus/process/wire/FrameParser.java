package io.commbus.process.wire;

import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Cuts the byte stream from a child into frames and checks each against the protocol. The
 * length is checked before any body is buffered, so an oversized frame costs nothing; this is
 * the one place the frame-size bound is enforced on what a child sends. A violation goes to
 * the error handler once, after which the parser ignores all input: the connection is about
 * to be closed.
 */
public final class FrameParser implements Handler<Buffer> {

  private static final int LENGTH = Protocol.LENGTH_FIELD_BYTES;

  private final int maxFrameSize;
  private final Set<FrameKind> kinds;
  private final Handler<Frame> frameHandler;
  private final Handler<ProtocolViolation> errorHandler;
  private Buffer pending = Buffer.buffer();
  private int readPosition;
  private boolean broken;

  /** A parser that accepts frames of {@code kinds} up to {@code maxFrameSize} bytes after their length field. */
  public FrameParser(int maxFrameSize, Set<FrameKind> kinds, Handler<Frame> frameHandler,
                     Handler<ProtocolViolation> errorHandler) {
    this.maxFrameSize = maxFrameSize;
    this.kinds = kinds;
    this.frameHandler = frameHandler;
    this.errorHandler = errorHandler;
  }

  @Override
  public void handle(Buffer data) {
    if (broken) {
      return;
    }
    if (readPosition == pending.length()) {
      pending = data;
      readPosition = 0;
    } else {
      pending = pending.getBuffer(readPosition, pending.length()).appendBuffer(data);
      readPosition = 0;
    }
    while (!broken && pending.length() - readPosition >= LENGTH) {
      long length = pending.getUnsignedInt(readPosition);
      if (length > maxFrameSize) {
        fail("frame of " + length + " bytes exceeds the maximum of " + maxFrameSize);
        return;
      }
      if (length < LENGTH) {
        fail("frame length " + length + " is shorter than its header length field");
        return;
      }
      if (pending.length() - readPosition < LENGTH + length) {
        break;
      }
      int start = readPosition + LENGTH;
      readPosition = start + (int) length;
      Frame frame = decode(pending, start, (int) length);
      if (frame != null) {
        frameHandler.handle(frame);
      }
    }
  }

  private Frame decode(Buffer data, int start, int length) {
    long headerLength = data.getUnsignedInt(start);
    if (headerLength < Protocol.MIN_HEADER_BYTES || headerLength > length - LENGTH) {
      fail("header length " + headerLength + " does not fit a frame of " + length + " bytes");
      return null;
    }
    int headerStart = start + LENGTH;
    JsonObject header;
    try {
      header = new JsonObject(data.getBuffer(headerStart, headerStart + (int) headerLength));
    } catch (DecodeException | ClassCastException e) {
      // Vert.x reports JSON that is valid but not an object as a ClassCastException.
      fail("frame header is not a JSON object: " + e.getMessage());
      return null;
    }
    Object name = header.getValue(Protocol.KIND);
    FrameKind kind = name instanceof String ? FrameKind.fromWireName((String) name) : null;
    if (kind == null || !kinds.contains(kind)) {
      fail("unknown frame kind " + (name == null ? "(missing \"" + Protocol.KIND + "\")" : "\"" + name + "\""));
      return null;
    }
    int bodyStart = headerStart + (int) headerLength;
    int bodyLength = start + length - bodyStart;
    Object encoding = header.getValue(Protocol.BODY);
    if (encoding == null) {
      if (bodyLength != 0) {
        fail(name + " frame has a " + bodyLength + "-byte body but no \"" + Protocol.BODY + "\" encoding");
        return null;
      }
      return new Frame(kind, header, null);
    }
    if (!Protocol.BODY_JSON.equals(encoding) && !Protocol.BODY_RAW.equals(encoding)) {
      fail(name + " frame has unknown body encoding \"" + encoding + "\"");
      return null;
    }
    return new Frame(kind, header, data.getBuffer(bodyStart, bodyStart + bodyLength));
  }

  private void fail(String message) {
    broken = true;
    errorHandler.handle(new ProtocolViolation(message));
  }
}
