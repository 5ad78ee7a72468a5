package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A channel's writer frames ({@code item}, {@code end}, {@code err}), one place for their
 * fields: what the JVM's channel ends write and read, and what a session's ports carry over the
 * bus, one frame per message body, so bytes cross there without base64 too.
 */
final class ChannelFrames {

  /** Room for an item's header beside its data. */
  static final int MAX_FRAME = Protocol.MAX_CHANNEL_ITEM + 65_536;

  private ChannelFrames() {
  }

  /** The {@code item} frame of {@code item}, numbered {@code seq}. */
  static Frame item(ChannelItem item, long seq) {
    JsonObject header = Frame.header(FrameKind.ITEM).put(Protocol.SEQ, seq);
    if (item.ts() != null) {
      header.put(Protocol.TS, item.ts());
    }
    if (item.contentType() != null) {
      header.put(Protocol.CONTENT_TYPE, item.contentType());
    }
    return Frame.withValue(FrameKind.ITEM, header, item.data());
  }

  static Frame end() {
    return Frame.of(Frame.header(FrameKind.END));
  }

  static Frame err(CommBusException error) {
    return Frame.of(Frame.header(FrameKind.ERR).put(Protocol.CODE, error.code().name())
        .put(Protocol.MESSAGE, error.getMessage()));
  }

  /** What an {@code item} frame carries; a ts that is not a number breaks the protocol. */
  static ChannelItem item(Frame frame) throws ProtocolViolation {
    Object ts = frame.header().getValue(Protocol.TS);
    if (ts != null && !(ts instanceof Number)) {
      throw new ProtocolViolation("an item's ts must be a number, was " + ts);
    }
    return new ChannelItem(frame.value(), Headers.optionalLong(frame, Protocol.SEQ, -1),
        ts == null ? null : ((Number) ts).doubleValue(), Headers.optionalString(frame, Protocol.CONTENT_TYPE));
  }

  /** The error an {@code err} frame carries. */
  static CommBusException error(Frame frame) throws ProtocolViolation {
    return CommBusException.of(ErrorCode.fromName(Headers.optionalString(frame, Protocol.CODE)),
        String.valueOf(Headers.optionalString(frame, Protocol.MESSAGE)));
  }

  static Buffer encode(Frame frame) {
    return FrameCodec.encode(frame);
  }

  /** The one writer frame {@code bytes} hold; anything else breaks the protocol. */
  static Frame decode(Buffer bytes) throws ProtocolViolation {
    List<Frame> frames = new ArrayList<>(1);
    List<ProtocolViolation> violations = new ArrayList<>(1);
    new FrameParser(MAX_FRAME, FrameKind.FROM_CHANNEL_WRITER, frames::add, violations::add).handle(bytes);
    if (!violations.isEmpty()) {
      throw violations.get(0);
    }
    if (frames.size() != 1) {
      throw new ProtocolViolation("a channel message holds one whole frame, this one " + frames.size());
    }
    return frames.get(0);
  }
}
