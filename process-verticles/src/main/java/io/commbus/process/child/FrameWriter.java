package io.commbus.process.child;

import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameCodec;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a connection's outgoing frames, gathered and written once per event-loop turn: that
 * is what keeps a busy connection from making one system call per frame. Streams with items
 * ready register as {@link Source}s and put their frames in at flush time, so items that are
 * ready together leave together. Runs on the connection's context only.
 */
final class FrameWriter {

  /** Something with frames to put in at the next flush. */
  interface Source {
    /** Encodes what it has ready, with {@link #encode}. */
    void drainInto();
  }

  private static final int MIN_BUFFER = 256;
  private static final int MAX_BUFFER = 64 * 1024;

  private final Context context;
  private final NetSocket socket;
  private final int maxFrameSize;
  private final Set<Source> ready = new LinkedHashSet<>();
  private final List<Runnable> waitingForDrain = new ArrayList<>();
  private Buffer pending = Buffer.buffer();
  private boolean flushScheduled;
  private boolean closed;
  /** Writes handed to the socket so far. */
  private long writes;

  /** {@code maxFrameSize}: the largest frame the child accepts, as announced in {@code welcome}. */
  FrameWriter(Context context, NetSocket socket, int maxFrameSize) {
    this.context = context;
    this.socket = socket;
    this.maxFrameSize = maxFrameSize;
  }

  /**
   * Queues {@code frame} for this turn's write; dropped once the writer is closed. A frame over
   * the child's limit is not queued: {@link FrameTooLarge} is thrown for its exchange to fail
   * alone, where the child would otherwise take it as a protocol violation and exit.
   */
  void write(Frame frame) {
    if (closed) {
      return;
    }
    encode(frame);
    scheduleFlush();
  }

  /** Appends {@code frame} to what this turn writes, without scheduling; for sources while they drain. As {@link #write}, throws {@link FrameTooLarge}. */
  void encode(Frame frame) {
    FrameCodec.encode(frame, pending, maxFrameSize);
  }

  /** Lets {@code source} put its frames in at the next flush. */
  void markReady(Source source) {
    ready.add(source);
    scheduleFlush();
  }

  /** Forgets a source that has nothing more to write. */
  void forget(Source source) {
    ready.remove(source);
  }

  /**
   * How many writes have been handed to the socket. A frame queued when this was {@code n}
   * has left this side once it is past {@code n}; if the writer closes first, it never did.
   */
  long writes() {
    return writes;
  }

  /** Whether the socket's write queue is full: the peer reads less than is written to it. */
  boolean backlogged() {
    return socket.writeQueueFull();
  }

  /** Runs {@code drained} once the socket's write queue has room again (at once if it has). */
  void onDrain(Runnable drained) {
    if (!socket.writeQueueFull()) {
      drained.run();
      return;
    }
    waitingForDrain.add(drained);
    if (waitingForDrain.size() == 1) {
      socket.drainHandler(v -> {
        List<Runnable> waiting = new ArrayList<>(waitingForDrain);
        waitingForDrain.clear();
        socket.drainHandler(null);
        waiting.forEach(Runnable::run);
      });
    }
  }

  /** Writes what is queued now, then stops writing for good. */
  void close() {
    if (!closed) {
      flush();
    }
    closed = true;
  }

  /** Stops writing and drops what is queued: the socket is gone, or what is queued must not reach it. */
  void closed() {
    closed = true;
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  private void flush() {
    flushScheduled = false;
    if (!ready.isEmpty()) {
      List<Source> sources = new ArrayList<>(ready);
      ready.clear();
      for (Source source : sources) {
        source.drainInto();
      }
    }
    if (closed || pending.length() == 0) {
      return;
    }
    Buffer out = pending;
    pending = Buffer.buffer(Math.max(MIN_BUFFER, Math.min(out.length(), MAX_BUFFER)));
    writes++;
    socket.write(out);
  }
}
