package io.commbus.process.child;

import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FailReason;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;

/**
 * The parent's side of the handshake on one connection: {@code hello} (token and version
 * checked), {@code welcome}, then {@code ready} with the handler kind, or {@code fail} either
 * way. A frame out of place, or one missing a field, refuses the child with reason
 * {@code protocol}.
 */
final class Handshake {

  /** What the handshake reports to its child. */
  interface Listener {
    /** The child is ready to take requests. */
    void ready(HandlerKind kind);

    /**
     * This side refused the child: the {@code fail} frame is sent and the socket is closing.
     * {@code why} says what the child did as a clause of its own ("it presented a wrong token").
     */
    void refused(HandshakeFailure failure, String why);

    /** The child said it cannot start (its {@code fail} frame); it is closed and killed, not trusted to exit. */
    void childFailed(HandshakeFailure failure);
  }

  private final NetSocket socket;
  private final String childId;
  private final String token;
  private final ChildSpec spec;
  private final Listener listener;
  private boolean helloSeen;
  private boolean welcomed;

  Handshake(NetSocket socket, String childId, String token, ChildSpec spec, Listener listener) {
    this.socket = socket;
    this.childId = childId;
    this.token = token;
    this.spec = spec;
    this.listener = listener;
  }

  /** Feeds one frame received before {@code ready}. */
  void handle(Frame frame) {
    try {
      switch (frame.kind()) {
        case HELLO:
          hello(frame);
          break;
        case READY:
          ready(frame);
          break;
        case FAIL:
          childFailed(frame);
          break;
        default:
          refuse(FailReason.PROTOCOL, "sent a " + frame.kind().wireName() + " frame before the handshake finished");
      }
    } catch (ProtocolViolation e) {
      refuse(FailReason.PROTOCOL, "broke the protocol: " + e.getMessage());
    }
  }

  private void hello(Frame frame) {
    if (helloSeen) {
      refuse(FailReason.PROTOCOL, "sent a second hello frame");
      return;
    }
    helloSeen = true;
    String offered = Headers.optionalString(frame, Protocol.TOKEN);
    byte[] expected = token.getBytes(StandardCharsets.UTF_8);
    if (offered == null || !MessageDigest.isEqual(offered.getBytes(StandardCharsets.UTF_8), expected)) {
      refuse(FailReason.BAD_TOKEN, "presented a wrong token");
      return;
    }
    long version = Headers.requireLong(frame, Protocol.VERSION_FIELD);
    if (version != Protocol.VERSION) {
      refuse(FailReason.VERSION_MISMATCH, "speaks protocol version " + version
          + ", this node speaks " + Protocol.VERSION);
      return;
    }
    JsonObject welcome = Frame.header(FrameKind.WELCOME).put(Protocol.VERSION_FIELD, Protocol.VERSION)
        .put(Protocol.CHILD, childId).put(Protocol.ENTRY, spec.entry().copy())
        .put(Protocol.CALLBACKS, new JsonArray(new ArrayList<>(spec.callbacks())))
        .put(Protocol.MAX_FRAME, spec.maxFrameSize()).put(Protocol.LOG_LEVEL, spec.logLevel().wireName());
    socket.write(FrameCodec.encode(Frame.of(welcome)));
    welcomed = true;
  }

  /** Whether the child presented its token and was welcomed: from then on it may send {@code log} frames. */
  boolean welcomed() {
    return welcomed;
  }

  private void ready(Frame frame) {
    if (!helloSeen) {
      refuse(FailReason.PROTOCOL, "sent a ready frame before hello");
      return;
    }
    String reported = Headers.requireString(frame, Protocol.HANDLER_KIND);
    HandlerKind kind = HandlerKind.fromWireName(reported);
    if (kind == null) {
      refuse(FailReason.PROTOCOL, "reported the unknown handler kind " + reported);
      return;
    }
    listener.ready(kind);
  }

  private void childFailed(Frame frame) {
    FailReason reason = FailReason.fromWireName(Headers.optionalString(frame, Protocol.REASON));
    String message = Headers.optionalString(frame, Protocol.MESSAGE);
    listener.childFailed(new HandshakeFailure(reason, "child " + childId + " failed to start: "
        + (message == null ? reason.wireName() : message), Headers.optionalString(frame, Protocol.ERROR_TYPE),
        Headers.optionalString(frame, Protocol.TRACEBACK)));
  }

  /**
   * Sends {@code fail} with {@code reason}, closes the socket and reports the refusal;
   * {@code what} is what the child did, without a subject ("presented a wrong token").
   */
  void refuse(FailReason reason, String what) {
    String message = "child " + childId + " " + what;
    JsonObject fail = Frame.header(FrameKind.FAIL).put(Protocol.REASON, reason.wireName())
        .put(Protocol.MESSAGE, message);
    socket.write(FrameCodec.encode(Frame.of(fail)));
    socket.close();
    listener.refused(new HandshakeFailure(reason, message), "it " + what);
  }
}
