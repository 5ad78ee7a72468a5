package io.commbus.process.wire;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

/**
 * A frame this side was about to send is larger than the limit the other side accepts. Nothing
 * of it was written, so only the exchange it belongs to fails (CODEC); the connection is whole.
 */
public final class FrameTooLarge extends CommBusException {

  public FrameTooLarge(Protocol.FrameKind kind, long length, int maxFrameSize) {
    super(ErrorCode.CODEC, "a '" + kind.wireName() + "' frame of " + length
        + " bytes exceeds the maximum frame size of " + maxFrameSize);
  }
}
