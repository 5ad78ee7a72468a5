package io.commbus.process.internal;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Cuts the byte stream from a child into frames and checks each against the protocol. The
 * length is checked before any body is buffered, so an oversized frame costs nothing.
 * A violation goes to the error handler once, after which the parser ignores all input:
 * the connection is about to be closed.
 */
public final class FrameParser implements Handler<Buffer> {

  /** Every frame kind a child may send. */
  public static final Set<String> CHILD_KINDS = Set.of(
      "hello", "ready", "fail", "res", "item", "items", "end", "err", "call", "credit", "cancel", "pong");

  private final int maxFrameSize;
  private final Set<String> kinds;
  private final Handler<Frame> frameHandler;
  private final Handler<CommBusException> errorHandler;
  private Buffer pending = Buffer.buffer();
  private int readPosition;
  private boolean broken;

  public FrameParser(int maxFrameSize, Set<String> kinds, Handler<Frame> frameHandler,
                     Handler<CommBusException> errorHandler) {
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
    while (!broken && pending.length() - readPosition >= 4) {
      long length = pending.getUnsignedInt(readPosition);
      if (length > maxFrameSize) {
        fail("frame of " + length + " bytes exceeds the maximum of " + maxFrameSize);
        return;
      }
      if (length < 4) {
        fail("frame length " + length + " is shorter than its header length field");
        return;
      }
      if (pending.length() - readPosition < 4 + length) {
        break;
      }
      int start = readPosition + 4;
      readPosition = start + (int) length;
      Frame frame = decode(pending, start, (int) length);
      if (frame != null) {
        frameHandler.handle(frame);
      }
    }
  }

  private Frame decode(Buffer data, int start, int length) {
    long headerLength = data.getUnsignedInt(start);
    if (headerLength < 2 || headerLength > length - 4) {
      fail("header length " + headerLength + " does not fit a frame of " + length + " bytes");
      return null;
    }
    JsonObject header;
    try {
      header = new JsonObject(data.getBuffer(start + 4, start + 4 + (int) headerLength));
    } catch (DecodeException | ClassCastException e) {
      fail("frame header is not a JSON object: " + e.getMessage());
      return null;
    }
    Object kind = header.getValue("t");
    if (!(kind instanceof String) || !kinds.contains(kind)) {
      fail("unknown frame kind " + (kind == null ? "(missing \"t\")" : "\"" + kind + "\""));
      return null;
    }
    int bodyStart = start + 4 + (int) headerLength;
    int bodyLength = start + length - bodyStart;
    Object encoding = header.getValue("b");
    if (encoding == null) {
      if (bodyLength != 0) {
        fail(kind + " frame has a " + bodyLength + "-byte body but no \"b\" encoding");
        return null;
      }
      return new Frame(header, null);
    }
    if (!Frame.JSON.equals(encoding) && !Frame.RAW.equals(encoding)) {
      fail(kind + " frame has unknown body encoding \"" + encoding + "\"");
      return null;
    }
    return new Frame(header, data.getBuffer(bodyStart, bodyStart + bodyLength));
  }

  private void fail(String message) {
    broken = true;
    errorHandler.handle(new CommBusException(ErrorCode.PROTOCOL, message));
  }
}
