package io.commbus.process.wire;

import io.vertx.core.buffer.Buffer;

/** Encodes frames: a u32 length, a u32 header length, the JSON header and the body. */
public final class FrameCodec {

  private FrameCodec() {
  }

  /** Appends {@code frame} to {@code out}; returns the number of bytes written. */
  public static int encode(Frame frame, Buffer out) {
    return encode(frame, out, Integer.MAX_VALUE);
  }

  /**
   * Appends {@code frame} to {@code out} unless it is longer than {@code maxFrameSize} (counted
   * as the receiving parser counts it: the bytes after the first length field), in which case
   * nothing is appended and {@link FrameTooLarge} is thrown. Returns the number of bytes written.
   */
  public static int encode(Frame frame, Buffer out, int maxFrameSize) {
    Buffer header = frame.header().toBuffer();
    Buffer body = frame.body();
    int bodyLength = body == null ? 0 : body.length();
    long length = (long) Protocol.LENGTH_FIELD_BYTES + header.length() + bodyLength;
    if (length > maxFrameSize) {
      throw new FrameTooLarge(frame.kind(), length, maxFrameSize);
    }
    return append(out, (int) length, header, body);
  }

  private static int append(Buffer out, int length, Buffer header, Buffer body) {
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
