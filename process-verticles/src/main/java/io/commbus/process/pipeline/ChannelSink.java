package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameParser;
import io.commbus.process.wire.Headers;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.WriteStream;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The writing end of a pipeline channel on the JVM, as a {@link WriteStream} of
 * {@link ChannelItem}s: it connects to the channel's reader (a Python node or a
 * {@link ChannelSource}) and writes an item for each credit the reader granted. Without credit
 * its write queue is full, and the drain handler runs when credit comes, so a
 * {@code pipeTo} from a faster source is slowed to the reader's pace. {@link #end()} sends
 * {@code end} and completes once the reader has taken everything and let go. Everything runs on
 * the context it was made on.
 *
 * <p>A resumable sink (a session's, under the restart policy) outlives its reader: when the
 * reader goes away it connects again to whichever reader listens at the path next, within the
 * resume timeout, and counts as lost the items the old reader had not confirmed taking.
 */
public final class ChannelSink implements WriteStream<ChannelItem> {

  /** How often a resumable sink tries its reader's path again while the reader's node restarts. */
  private static final long RESUME_RETRY_MILLIS = 10;

  /**
   * Held for as long as the channel is: Vert.x closes an unreferenced client's connections when
   * the garbage collector finds it, which would cut the channel at a random moment.
   */
  private final NetClient client;
  private final Context context;
  private final Path path;
  /** Null: not resumable. */
  private final Duration resumeTimeout;
  private final Promise<Void> closed = Promise.promise();
  private NetSocket socket;
  private long credit;
  /** This connection's counts, for what a reader that went away had not taken. */
  private long firstGrant = -1;
  private long granted;
  private long sentHere;
  private long lost;
  private Handler<Long> resumedHandler;
  private boolean abandoned;
  private long seq;
  private Handler<Void> drainHandler;
  /** Whether the queue was full when last looked at: a drain is told once per full-to-room change. */
  private boolean full = true;
  private Handler<Throwable> exceptionHandler;
  private Throwable failed;
  private boolean ending;
  /** The end or err to send once a resumed channel has its reader again. */
  private Frame endFrame;

  private ChannelSink(NetClient client, Context context, Path path, Duration resumeTimeout) {
    this.client = client;
    this.context = context;
    this.path = path;
    this.resumeTimeout = resumeTimeout;
  }

  /** Connects to the reader listening at {@code path}. */
  public static Future<ChannelSink> connect(Vertx vertx, Path path) {
    return connect(vertx, path, null);
  }

  /**
   * Connects to the reader listening at {@code path}; with a {@code resumeTimeout} the channel
   * is resumable (see above), the reader's successor awaited that long.
   */
  public static Future<ChannelSink> connect(Vertx vertx, Path path, Duration resumeTimeout) {
    Context context = vertx.getOrCreateContext();
    Promise<ChannelSink> connected = Promise.promise();
    context.runOnContext(v -> {
      ChannelSink sink = new ChannelSink(vertx.createNetClient(), context, path, resumeTimeout);
      sink.open().map(sink).onComplete(ar -> {
        if (ar.failed()) {
          sink.client.close();
        }
        connected.handle(ar);
      });
    });
    return connected.future();
  }

  private Future<NetSocket> open() {
    return client.connect(SocketAddress.domainSocketAddress(path.toString())).onSuccess(opened -> {
      socket = opened;
      credit = 0;
      firstGrant = -1;
      granted = 0;
      sentHere = 0;
      opened.handler(new FrameParser(65_536, FrameKind.FROM_CHANNEL_READER, this::frame, this::violation));
      opened.closeHandler(x -> {
        if (socket == opened) {
          gone();
        }
      });
      opened.drainHandler(x -> drained());
    });
  }

  /**
   * Lets go of the channel without an end, as a writer that died would, and stops resuming:
   * for an end whose owner is gone (a node's run on another host ended), so that it cannot take
   * the place of the writer that comes next.
   */
  public Future<Void> abandon() {
    abandoned = true;
    if (closed.future().isComplete()) {
      return Future.succeededFuture();  // it ended, or failed, already
    }
    closed.tryComplete();  // whatever waited for its end hears it is over
    failLocally(CommBusException.of(ErrorCode.UNAVAILABLE, "the channel's writing end was let go"));
    if (socket != null) {
      socket.close();
    }
    return client.close();
  }

  /** Hears, each time the channel resumed with a new reader, how many items the old one lost. */
  public ChannelSink resumedHandler(Handler<Long> handler) {
    this.resumedHandler = handler;
    return this;
  }

  /** Items sent to readers that went away before confirming they took them. */
  public long lost() {
    return lost;
  }

  private void frame(Frame frame) {
    try {
      long count = Headers.requirePositiveLong(frame, Protocol.COUNT);
      if (firstGrant < 0) {
        firstGrant = count;  // what the reader holds: the rest it grants as items are taken
      }
      granted += count;
      credit += count;
    } catch (ProtocolViolation e) {
      violation(e);
      return;
    }
    drained();
  }

  /** Credit came, or the socket drained: the drain handler hears of room once, when it was full. */
  private void drained() {
    if (full && !writeQueueFull()) {
      full = false;
      if (drainHandler != null) {
        drainHandler.handle(null);
      }
    }
  }

  private void violation(ProtocolViolation violation) {
    failLocally(violation);
    if (socket != null) {
      socket.close();
    }
  }

  private void gone() {
    // A reader that lets go after the end looks like one that went away: only one that went
    // before the end is waited for again.
    if (resumeTimeout != null && failed == null && !ending && !abandoned) {
      resume(System.currentTimeMillis() + resumeTimeout.toMillis());
      return;
    }
    if (!ending) {
      failLocally(CommBusException.of(ErrorCode.UNAVAILABLE, "the channel's reader went away"));
    }
    client.close();
    closed.tryComplete();
  }

  /** Connects to the reader's successor, trying until {@code deadline}; counts what the old one lost. */
  private void resume(long deadline) {
    long confirmed = granted - Math.max(0, firstGrant);
    long lostHere = Math.max(0, sentHere - confirmed);
    credit = 0;
    socket = null;
    full = true;  // no room until the successor grants it: whoever waits hears of it then
    open().onComplete(ar -> {
      if (ar.succeeded() && abandoned) {
        ar.result().close();
        return;
      }
      if (ar.succeeded()) {
        lost += lostHere;
        if (endFrame != null) {
          ar.result().write(ChannelFrames.encode(endFrame));  // ended while it had no reader
        }
        if (resumedHandler != null) {
          resumedHandler.handle(lostHere);
        }
      } else if (abandoned) {
        client.close();
      } else if (System.currentTimeMillis() >= deadline) {
        failLocally(CommBusException.of(ErrorCode.UNAVAILABLE, "the channel's reader went away and none listened at "
            + path + " within " + resumeTimeout.toMillis() + " ms"));
        client.close();
        closed.tryComplete();
      } else {
        context.owner().setTimer(RESUME_RETRY_MILLIS, t -> resume(deadline));
      }
    });
  }

  /** This end failed (the reader went away, or broke the protocol): the exception handler hears it, and every call after it fails. */
  private void failLocally(Throwable error) {
    if (failed == null) {
      failed = error;
      if (exceptionHandler != null) {
        exceptionHandler.handle(error);
      }
    }
  }

  /** Whether {@link #end()} or {@link #fail} was called: its reader gets nothing more. */
  public boolean ended() {
    return ending;
  }

  /** Items written so far. */
  public long sent() {
    return seq;
  }

  @Override
  public ChannelSink exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  /**
   * Writes {@code item} now when the reader has granted room for it; without room it fails
   * with OVERLOADED, as the stream's contract is to wait for {@link #drainHandler} while
   * {@link #writeQueueFull()}. A pipe does.
   */
  @Override
  public Future<Void> write(ChannelItem item) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    if (ending) {
      return Future.failedFuture(new IllegalStateException("the channel's writing end has ended"));
    }
    if (credit == 0) {
      return Future.failedFuture(CommBusException.of(ErrorCode.OVERLOADED, "the channel's reader has granted no "
          + "room: wait for the drain handler while writeQueueFull()"));
    }
    Object data = item.data();
    if (data instanceof Buffer bytes && bytes.length() > Protocol.MAX_CHANNEL_ITEM) {
      return Future.failedFuture(CommBusException.of(ErrorCode.CODEC, "an item of " + bytes.length()
          + " bytes is over a channel's most, " + Protocol.MAX_CHANNEL_ITEM));
    }
    credit--;
    seq++;
    sentHere++;
    Future<Void> written = socket.write(ChannelFrames.encode(ChannelFrames.item(item, seq - 1)));
    full = writeQueueFull();
    return written;
  }

  /** Sends {@code end}; completes once the reader has taken the items before it and let go. */
  @Override
  public Future<Void> end() {
    return finish(ChannelFrames.end());
  }

  /** Ends the channel with {@code error}, which the reader's iteration raises after the items before it. */
  public Future<Void> fail(CommBusException error) {
    return finish(ChannelFrames.err(error));
  }

  private Future<Void> finish(Frame last) {
    if (failed != null) {
      return Future.failedFuture(failed);
    }
    if (!ending) {
      ending = true;
      if (socket != null) {
        socket.write(ChannelFrames.encode(last));
      } else {
        endFrame = last;
      }
    }
    return closed.future();
  }

  @Override
  public ChannelSink setWriteQueueMaxSize(int maxSize) {
    return this;  // the reader's credit is the queue's size
  }

  @Override
  public boolean writeQueueFull() {
    boolean noRoom = credit == 0 || socket == null || socket.writeQueueFull();
    if (noRoom) {
      full = true;  // whoever saw it so waits for the drain handler, which must then be told
    }
    return noRoom;
  }

  @Override
  public ChannelSink drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }
}
