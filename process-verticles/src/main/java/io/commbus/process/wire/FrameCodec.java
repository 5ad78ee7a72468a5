package io.commbus.process.wire;

import io.vertx.core.buffer.Buffer;

/** Encodes frames: a u32 length, a u32 header length, the JSON header and the body. */
public final class FrameCodec {

  private FrameCodec() {
  }

  /** Appends {@code frame} to {@code out}; returns the number of bytes written. */
  public static int encode(Frame frame, Buffer out) {
    Buffer header = frame.header().toBuffer();
    Buffer body = frame.body();
    int bodyLength = body == null ? 0 : body.length();
    int length = Protocol.LENGTH_FIELD_BYTES + header.length() + bodyLength;
    out.appendInt(length).appendInt(header.length()).appendBuffer(header);
    if (body != null) {
      out.appendBuffer(body);
    }
    return length + Protocol.LENGTH_FIELD_BYTES;
  }

  public static Buffer encode(Frame frame) {
    Buffer out = Buffer.buffer(64 + (frame.body() == null ? 0 : frame.body().length()));
    encode(frame, out);
    return out;
  }
}
