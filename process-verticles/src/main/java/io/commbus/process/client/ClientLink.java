package io.commbus.process.client;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.process.CallbackPaths;
import io.commbus.process.child.ChildConnection;
import io.commbus.process.child.ConnectionSpec;
import io.commbus.process.child.ExitCause;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FailReason;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.Protocol.Permission;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.Optional;

/**
 * One client's connection: the handshake ({@code hello} with a token and the version, answered
 * by {@code welcome} with what the token allows, or {@code fail}), then the child protocol's
 * exchanges through a {@link ChildConnection} gated by the token. A client that leaves the
 * node's writes unread past the stall timeout is disconnected. Runs on the endpoint's context.
 */
final class ClientLink {

  /** What the link reports to its endpoint. */
  interface Listener {
    /** The client presented a wrong token (or none); the link is closing. */
    void badToken(ClientLink link);

    /** The socket closed, whoever closed it. */
    void closed(ClientLink link);
  }

  private static final System.Logger LOG = System.getLogger(ClientLink.class.getName());
  /** The longest name a client's {@code hello} may give itself, as logs show it. */
  private static final int MAX_SELF_NAME = 64;

  private final Context context;
  private final NetSocket socket;
  private final CommBus bus;
  private final ClientEndpointOptions options;
  private final ClientTokens tokens;
  private final AttachedServices serving;
  private final Listener listener;
  private final String number;
  private String name;
  private ClientGrant grant;
  private ChildConnection connection;
  private long handshakeTimer;
  private long stallTimer = -1;
  private long pingTimer = -1;
  private long pongs;
  /** Whether a frame came from the client since the last ping tick: a client that talks is alive. */
  private boolean heard;
  private boolean closed;
  private boolean refused;

  ClientLink(Context context, NetSocket socket, CommBus bus, ClientEndpointOptions options, ClientTokens tokens,
             AttachedServices serving, long number, Listener listener) {
    this.context = context;
    this.socket = socket;
    this.bus = bus;
    this.options = options;
    this.tokens = tokens;
    this.serving = serving;
    this.listener = listener;
    this.number = Long.toString(number);
    this.name = "client #" + number;
  }

  void start() {
    socket.setWriteQueueMaxSize(options.getWriteQueueBytes());
    socket.handler(new FrameParser(options.getMaxFrameSize(), FrameKind.FROM_CLIENT, this::frame, this::violation));
    socket.exceptionHandler(e -> LOG.log(System.Logger.Level.DEBUG, name + " socket: " + e));
    socket.closeHandler(v -> onClosed());
    handshakeTimer = context.owner().setTimer(options.getHandshakeTimeout().toMillis(), t -> {
      if (grant == null && !closed) {
        refuse(FailReason.TIMEOUT, "sent no hello within " + options.getHandshakeTimeout().toMillis() + " ms");
      }
    });
  }

  /** The client's name in logs ({@code "client web#3"}), its token's name once it has authenticated. */
  String name() {
    return name;
  }

  /** What {@code /health} shows of the connection. */
  JsonObject describe() {
    JsonObject json = new JsonObject().put("name", name).put("remote", String.valueOf(socket.remoteAddress()));
    if (connection != null) {
      json.put("inFlight", connection.inFlight()).put("pongs", pongs);
    }
    return json;
  }

  /** Asks the client to finish and go: {@code bye}, then a close after {@code grace}. */
  void bye(Duration grace) {
    if (connection != null && !closed) {
      connection.bye(grace);
      context.owner().setTimer(Math.max(1, grace.toMillis()), t -> close(CommBusException.of(ErrorCode.UNAVAILABLE,
          "the node is shutting down")));
    } else {
      socket.close();
    }
  }

  void close(CommBusException why) {
    if (connection != null) {
      connection.shutdown(why);
    } else {
      socket.close();
    }
  }

  /** The name a client gave itself in {@code hello}, made safe for a log line: printable ASCII, 64 characters at most. */
  private static String selfNamed(String given) {
    if (given == null || given.isBlank()) {
      return "";
    }
    String printable = given.replaceAll("[^\\x20-\\x7e]", "?");
    return " (" + (printable.length() > MAX_SELF_NAME ? printable.substring(0, MAX_SELF_NAME) : printable) + ")";
  }

  /** Refuses a connection before its handshake ({@code fail overloaded} beyond the limit, {@code fail stopping}), then closes it. */
  static void refuseAtOnce(NetSocket socket, FailReason reason, String message) {
    socket.write(FrameCodec.encode(Frame.of(Frame.header(FrameKind.FAIL).put(Protocol.REASON, reason.wireName())
        .put(Protocol.MESSAGE, message))));
    socket.close();
  }

  private void frame(Frame frame) {
    if (closed || refused) {
      return; // refused: whatever else that read carried (more hellos, say) is not looked at
    }
    heard = true;
    if (connection != null) {
      if (frame.kind() == FrameKind.BYE) {
        // The client is leaving: what it still serves or waits for fails now, and the socket closes.
        connection.shutdown(CommBusException.of(ErrorCode.UNAVAILABLE, name + " left"));
        return;
      }
      connection.handle(frame);
      return;
    }
    if (frame.kind() != FrameKind.HELLO) {
      refuse(FailReason.PROTOCOL, "sent a " + frame.kind().wireName() + " frame before hello");
      return;
    }
    try {
      hello(frame);
    } catch (ProtocolViolation e) {
      refuse(FailReason.PROTOCOL, "broke the protocol: " + e.getMessage());
    }
  }

  private void hello(Frame frame) {
    Optional<ClientGrant> matched = tokens.match(Headers.optionalString(frame, Protocol.TOKEN));
    if (matched.isEmpty()) {
      refuse(FailReason.BAD_TOKEN, "presented a wrong token");
      listener.badToken(this);
      return;
    }
    long version = Headers.requireLong(frame, Protocol.VERSION_FIELD);
    if (version != Protocol.VERSION) {
      refuse(FailReason.VERSION_MISMATCH, "speaks protocol version " + version + ", this node speaks "
          + Protocol.VERSION);
      return;
    }
    context.owner().cancelTimer(handshakeTimer);
    grant = matched.get();
    name = "client " + grant.name() + "#" + number + selfNamed(Headers.optionalString(frame, Protocol.CLIENT));
    JsonArray allowed = new JsonArray();
    for (Permission permission : grant.permissions()) {
      allowed.add(permission.wireName());
    }
    JsonObject welcome = Frame.header(FrameKind.WELCOME).put(Protocol.VERSION_FIELD, Protocol.VERSION)
        .put(Protocol.CLIENT, name).put(Protocol.ALLOW, allowed).put(Protocol.MAX_FRAME, options.getMaxFrameSize())
        .put(Protocol.PING_INTERVAL, options.getPingInterval().toMillis());
    socket.write(FrameCodec.encode(Frame.of(welcome)));
    ConnectionSpec spec = new ConnectionSpec(options.getMaxFrameSize(), options.getStreamWindow(),
        options.getCallTimeout(), CallbackPaths::messageTypeOfCall, grant, serving, options.getMaxInFlight(),
        ClientEndpointOptions.MAX_CREDIT);
    connection = new ChildConnection(context, socket, bus, name, spec, new ChildConnection.Listener() {
      @Override
      public void broken(ExitCause cause, CommBusException error, String detail) {
        LOG.log(System.Logger.Level.WARNING, name + " was disconnected: " + detail);
      }

      @Override
      public void deadlineMissed() {
        // A serving client that answers late only fails that request; it is no child to restart.
      }

      @Override
      public void closed() {
        onClosed(); // the connection took over the socket's close handler
      }
    });
    watchForStall();
    keepPinging();
  }

  /**
   * Pings the client every interval. One is gone when it has not answered the last ping by the
   * next and sent nothing else meanwhile, while nothing holds the ping back on this side (a full
   * write queue is the stall watch's to judge).
   */
  private void keepPinging() {
    long interval = options.getPingInterval().toMillis();
    boolean[] waiting = new boolean[1];
    pingTimer = context.owner().setPeriodic(interval, t -> {
      if (closed) {
        return;
      }
      boolean silent = !heard;
      heard = false;
      if (waiting[0]) {
        if (silent && !socket.writeQueueFull()) {
          LOG.log(System.Logger.Level.WARNING, name + " did not answer a ping within " + interval
              + " ms and sent nothing else; disconnected");
          close(CommBusException.of(ErrorCode.UNAVAILABLE, name + " stopped answering pings"));
          abort();
        }
        return;
      }
      waiting[0] = true;
      connection.ping().onSuccess(v -> {
        waiting[0] = false;
        pongs++;
      });
    });
  }

  /** Disconnects a client whose socket's write queue stays full past the stall timeout. */
  private void watchForStall() {
    long period = Math.max(1, options.getStallTimeout().toMillis() / 2);
    boolean[] fullBefore = new boolean[1];
    stallTimer = context.owner().setPeriodic(period, t -> {
      boolean full = socket.writeQueueFull();
      if (full && fullBefore[0]) {
        LOG.log(System.Logger.Level.WARNING, name + " read nothing the node wrote for "
            + options.getStallTimeout().toMillis() + " ms with " + options.getWriteQueueBytes()
            + " bytes queued; disconnected");
        close(CommBusException.of(ErrorCode.UNAVAILABLE, name + " stopped reading and was disconnected"));
        abort();
      }
      fullBefore[0] = full;
    });
  }

  /** Closes the socket now, dropping what is queued: a plain close waits for a queue a stuck client never drains. */
  private void abort() {
    VertxInternals.abort(socket);
  }

  private void violation(ProtocolViolation violation) {
    if (connection != null) {
      LOG.log(System.Logger.Level.WARNING, name + " broke the protocol and was disconnected: "
          + violation.getMessage());
      connection.protocolError(violation);
    } else {
      refuse(FailReason.PROTOCOL, "broke the protocol: " + violation.getMessage());
    }
  }

  /** Sends {@code fail} and closes; {@code what} is what the client did ("presented a wrong token"). */
  private void refuse(FailReason reason, String what) {
    refused = true;
    String message = name + " " + what;
    socket.write(FrameCodec.encode(Frame.of(Frame.header(FrameKind.FAIL).put(Protocol.REASON, reason.wireName())
        .put(Protocol.MESSAGE, message))));
    socket.close();
    if (reason != FailReason.BAD_TOKEN) {
      LOG.log(System.Logger.Level.INFO, message + "; connection closed");
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    context.owner().cancelTimer(handshakeTimer);
    if (stallTimer >= 0) {
      context.owner().cancelTimer(stallTimer);
    }
    if (pingTimer >= 0) {
      context.owner().cancelTimer(pingTimer);
    }
    if (connection != null) {
      // What the client was serving fails now, rather than at each request's deadline.
      connection.shutdown(CommBusException.of(ErrorCode.UNAVAILABLE, name + " disconnected"));
    }
    listener.closed(this);
  }
}
