package io.commbus.process.child;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.NetSocket;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The parent's end of one child connection after the handshake: it multiplexes the parent's
 * requests ({@link ParentRequests}) and the child's calls ({@link ChildCalls}) over one socket,
 * matched by correlation ids, with credit on every stream (see docs/protocol.md), and writes
 * through one {@link FrameWriter}. Everything runs on the verticle's context.
 *
 * <p>A frame that breaks the protocol closes the connection with PROTOCOL. An exception of
 * any other type while handling a frame is a bug on this side: it is logged as one, and the
 * connection closes with INTERNAL rather than blaming the child.
 */
public final class ChildConnection implements Serving.Worker {

  /** What the connection reports to its child. */
  public interface Listener {
    /**
     * The connection closed itself for {@code cause}; its exchanges already failed with
     * {@code error}. {@code detail} is what went wrong, as {@link ExitCause#describe} words it.
     */
    void broken(ExitCause cause, CommBusException error, String detail);

    /** A request passed its deadline: the child may be hung. */
    void deadlineMissed();

    /** The socket closed, whoever closed it. */
    void closed();
  }

  private static final System.Logger LOG = System.getLogger(ChildConnection.class.getName());

  private final NetSocket socket;
  /** Who is at the other end, as messages name it: "child trading#2", "client web#3". */
  private final String peer;
  private final Listener listener;
  private final FrameWriter writer;
  private final ParentRequests requests;
  private final ChildCalls calls;
  private final Map<Long, Promise<Void>> pings = new HashMap<>();
  private long nextPingId = 1;
  private boolean closed;

  /** {@code peer}: who is at the other end, as messages name it ("child trading#2", "client web#3"). */
  public ChildConnection(Context context, NetSocket socket, CommBus bus, String peer, ConnectionSpec spec,
                         Listener listener) {
    this.socket = socket;
    this.peer = peer;
    this.listener = listener;
    this.writer = new FrameWriter(context, socket, spec.maxFrameSize());
    this.requests = new ParentRequests(context, writer, peer, spec.streamWindow(), listener::deadlineMissed);
    this.calls = new ChildCalls(bus, writer, spec, this);
    socket.closeHandler(v -> onClosed());
  }

  @Override
  public String name() {
    return peer;
  }

  /** Feeds one frame received after the handshake. */
  public void handle(Frame frame) {
    if (closed) {
      return;
    }
    try {
      switch (frame.kind()) {
        case RES:
        case ITEM:
        case ITEMS:
        case END:
        case ERR:
          requests.answer(frame);
          break;
        case CALL:
          calls.call(frame);
          break;
        case CREDIT:
          calls.credit(frame);
          break;
        case CANCEL:
          calls.cancel(frame);
          break;
        case PONG:
          Promise<Void> ping = pings.remove(Headers.requireLong(frame, Protocol.ID));
          if (ping != null) {
            ping.tryComplete();
          }
          break;
        default:
          throw new ProtocolViolation(frame.kind().wireName() + " frame is not allowed after the handshake");
      }
    } catch (ProtocolViolation e) {
      protocolError(e);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "bug: the parent failed handling a " + frame.kind().wireName()
          + " frame from " + peer + ": " + frame, e);
      String what = "its " + frame.kind().wireName() + " frame: " + e;
      fail(ExitCause.PARENT_FAILED, what, new CommBusException(ErrorCode.INTERNAL, peer
          + ": the parent failed handling " + what));
    }
  }

  /** Sends a request; the exchange hears the answer, or that it was never delivered. */
  @Override
  public void request(Exchange exchange) {
    if (closed) {
      exchange.onUndelivered(new CommBusException(ErrorCode.CHILD_EXITED, peer + " is not connected"));
      return;
    }
    requests.send(exchange);
  }

  /** Whether requests can still be sent: the socket is open and the connection was not shut down. */
  @Override
  public boolean isOpen() {
    return !closed;
  }

  /** Sends a liveness ping; the future completes when the child's loop answers. */
  public Future<Void> ping() {
    Promise<Void> promise = Promise.promise();
    long id = nextPingId++;
    pings.put(id, promise);
    writer.write(Frame.of(FrameKind.PING, id));
    return promise.future();
  }

  /** Asks the child to finish its work within {@code grace} and exit. */
  public void bye(Duration grace) {
    writer.write(Frame.of(Frame.header(FrameKind.BYE).put(Protocol.GRACE, grace.toMillis())));
  }

  /** Requests still waiting for an answer. */
  public int inFlight() {
    return requests.inFlight();
  }

  /**
   * Closes the socket: requests not yet written go back as undelivered, the rest and every
   * call from the child fail with {@code error}. What is still queued is dropped, not written:
   * a request handed back must not reach this child as well.
   */
  public void shutdown(CommBusException error) {
    writer.closed();
    closed = true;
    // The peer's calls first: a client serving a type is detached before its requests are handed back to be sent again.
    calls.stopAll();
    requests.returnUnwritten(error);
    requests.failAll(error);
    pings.clear();
    socket.close();
  }

  /** Reports a protocol violation found outside the connection (by the frame parser). */
  public void protocolError(ProtocolViolation violation) {
    fail(ExitCause.PROTOCOL_VIOLATION, violation.getMessage(), new CommBusException(ErrorCode.PROTOCOL, peer
        + ": " + violation.getMessage()));
  }

  private void fail(ExitCause cause, String detail, CommBusException error) {
    if (closed) {
      return;
    }
    shutdown(error);
    listener.broken(cause, error, detail);
  }

  private void onClosed() {
    boolean wasOpen = !closed;
    closed = true;
    writer.closed();
    listener.closed();
    if (wasOpen) {
      // After the listener heard of it, so the child is no longer chosen when these are sent again.
      requests.returnUnwritten(new CommBusException(ErrorCode.CHILD_EXITED, peer
          + " closed its connection"));
    }
  }
}
