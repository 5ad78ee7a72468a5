package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The reading end of a pipeline channel on the JVM, as a {@link ReadStream} of
 * {@link ChannelItem}s: it listens on a Unix socket for the channel's one writer (a Python node
 * or a {@link ChannelSink}) and grants credit as the stream's handler takes items, so at most
 * {@code capacity} are held and a paused stream stops the writer. The stream ends at the
 * writer's {@code end}; an {@code err}, a broken frame or a writer gone without either goes to
 * the exception handler. Everything runs on the context it was made on.
 */
public final class ChannelSource implements ReadStream<ChannelItem> {

  private final Context context;
  private final NetServer server;
  private final int capacity;
  private final boolean resumable;
  private final Deque<ChannelItem> items = new ArrayDeque<>();
  private int writers;
  private NetSocket socket;
  private Handler<ChannelItem> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private int taken;
  private boolean ended;
  private Throwable failed;
  private boolean done;

  private ChannelSource(Context context, NetServer server, int capacity, boolean resumable) {
    this.context = context;
    this.server = server;
    this.capacity = capacity;
    this.resumable = resumable;
  }

  /** Listens at {@code path} (made {@code 0600}) for the channel's writer; completes once it listens. */
  public static Future<ChannelSource> listen(Vertx vertx, Path path, int capacity) {
    return listen(vertx, path, capacity, false);
  }

  /**
   * Listens at {@code path} for the channel's writer; a {@code resumable} source takes a new
   * writer when its writer went away without {@code end} (a session's, under the restart
   * policy), keeping what the old one sent.
   */
  public static Future<ChannelSource> listen(Vertx vertx, Path path, int capacity, boolean resumable) {
    if (capacity < 1 || capacity > PipelineSpec.MAX_CAPACITY) {
      return Future.failedFuture(new IllegalArgumentException("capacity must be 1 to " + PipelineSpec.MAX_CAPACITY
          + ", was " + capacity));
    }
    Context context = vertx.getOrCreateContext();
    Promise<ChannelSource> listening = Promise.promise();
    // Made and listening on one context, so its frames and its stream's calls take turns there.
    context.runOnContext(v -> {
      NetServer server = vertx.createNetServer();
      ChannelSource source = new ChannelSource(context, server, capacity, resumable);
      server.connectHandler(source::connected);
      server.listen(SocketAddress.domainSocketAddress(path.toString()))
          .compose(bound -> vertx.executeBlocking(() -> {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            return source;
          }, false))
          .onComplete(listening);
    });
    return listening.future();
  }

  /** Writers that have connected so far: more than one when the channel resumed. */
  public int writers() {
    return writers;
  }

  private void connected(NetSocket accepted) {
    if (socket != null || done) {
      accepted.close();  // one writer at a time
      return;
    }
    // The server stays open while the writer is connected (closing it would close the writer's
    // connection too); a second writer is turned away above.
    socket = accepted;
    writers++;
    accepted.handler(new FrameParser(ChannelFrames.MAX_FRAME, FrameKind.FROM_CHANNEL_WRITER, this::frame,
        this::violation));
    // A credit written after the writer died fails; Netty would then close the connection at
    // once and drop what the writer sent before it died, unread. Kept open, the connection is
    // read to its end, so not one item the writer managed to send is lost.
    VertxInternals.readToTheEnd(accepted);
    accepted.closeHandler(v -> {
      if (socket != accepted) {
        return;
      }
      if (resumable && !ended && failed == null) {
        socket = null;  // its successor will connect; what it sent is kept
      } else if (!ended && failed == null) {
        fail(CommBusException.of(ErrorCode.UNAVAILABLE, "the channel's writer went away before its end"));
      }
    });
    // Room for what it may send: the capacity, less what is held and what was taken but not yet granted.
    grant(capacity - items.size() - taken);
  }

  private void frame(Frame frame) {
    try {
      if (ended || failed != null) {
        throw new ProtocolViolation("the channel's writer sent " + frame.kind().wireName() + " after its end");
      }
      switch (frame.kind()) {
        case ITEM -> {
          if (items.size() >= capacity) {
            throw new ProtocolViolation("the channel's writer sent more than the " + capacity + " items granted");
          }
          items.add(ChannelFrames.item(frame));
        }
        case END -> ended = true;
        case ERR -> fail(ChannelFrames.error(frame));
        default -> throw new ProtocolViolation("a channel's writer sends items, end and err only");
      }
    } catch (ProtocolViolation e) {
      violation(e);
      return;
    }
    deliver();
  }

  private void violation(ProtocolViolation violation) {
    fail(violation);
    server.close();
  }

  private void fail(Throwable error) {
    if (failed == null && !done) {
      failed = error;
      deliver();
    }
  }

  private void grant(int n) {
    if (n > 0 && socket != null && !ended && failed == null) {
      socket.write(FrameCodec.encode(Frame.of(Frame.header(FrameKind.CREDIT).put(Protocol.COUNT, n))));
    }
  }

  /** Hands items to the handler while there is demand; then the end, or the failure. */
  private void deliver() {
    while (demand > 0 && !items.isEmpty() && handler != null && !done) {
      ChannelItem item = items.poll();
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      // Counted before the handler runs: one that throws must not cost the writer its credit.
      if (++taken >= Math.max(1, capacity / 2)) {
        grant(taken);
        taken = 0;
      }
      handler.handle(item);
    }
    // The end is told once someone listens for it: a writer may end before the handlers are set.
    boolean heard = failed != null ? exceptionHandler != null : endHandler != null;
    if (items.isEmpty() && !done && (ended || failed != null) && heard) {
      done = true;
      server.close();  // and with it the writer's connection: what lets the writer's end complete
      if (failed != null) {
        if (exceptionHandler != null) {
          exceptionHandler.handle(failed);
        }
      } else if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }

  @Override
  public ChannelSource exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    context.runOnContext(v -> deliver());
    return this;
  }

  @Override
  public ChannelSource handler(Handler<ChannelItem> handler) {
    this.handler = handler;
    context.runOnContext(v -> deliver());
    return this;
  }

  @Override
  public ChannelSource pause() {
    demand = 0;
    return this;
  }

  @Override
  public ChannelSource resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ChannelSource fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand > Long.MAX_VALUE - amount ? Long.MAX_VALUE : demand + amount;
    context.runOnContext(v -> deliver());
    return this;
  }

  @Override
  public ChannelSource endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    context.runOnContext(v -> deliver());
    return this;
  }

  /** Stops listening and lets go of the writer; the writer's next send fails. */
  public Future<Void> close() {
    done = true;
    return server.close();  // its connections with it
  }
}
