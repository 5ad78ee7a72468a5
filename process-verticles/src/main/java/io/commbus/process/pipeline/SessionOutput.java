package io.commbus.process.pipeline;

import io.commbus.bus.error.CommBusException;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * One of a session's open outputs, as its user reads it: the items of the channel the output's
 * node writes, then its end. A channel that fails (the node, or one upstream, failed; the session
 * was terminated) does not fail the stream with that node's own error: the stream fails once
 * the session has ended, with the session's cause ({@code PIPELINE_TERMINATED}, naming the node
 * that failed first), so every output of a session tells the same story.
 */
final class SessionOutput implements ReadStream<ChannelItem> {

  private final Port port;
  private final ChannelSource source;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private boolean ended;
  private CommBusException failure;
  private boolean readInProcess;
  private boolean readOnTheBus;

  SessionOutput(Port port, ChannelSource source) {
    this.port = port;
    this.source = source;
    source.endHandler(v -> {
      ended = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    });
    // Held until the session ends: see above. Listening here also lets the channel's writer go at once.
    source.exceptionHandler(e -> { });
  }

  /**
   * Marks it read by the session's own user ({@code Session.output}), from then on; an
   * IllegalStateException when a bus reader has it. One reader at a time, either way.
   */
  SessionOutput claimInProcess() {
    if (readOnTheBus) {
      throw new IllegalStateException("output " + port + " is read on the bus already; an output has one reader at "
          + "a time");
    }
    readInProcess = true;
    return this;
  }

  boolean readInProcess() {
    return readInProcess;
  }

  /** A bus reader ({@link PortOutput}) took it, or let it go. */
  void readOnTheBus(boolean reading) {
    readOnTheBus = reading;
  }

  Port port() {
    return port;
  }

  ChannelSource source() {
    return source;
  }

  /** The session ended with {@code cause} (null: it completed): an output that did not end fails with it. */
  void sessionEnded(CommBusException cause) {
    if (ended || failure != null || cause == null) {
      return;  // a session completes only once every output has ended
    }
    failure = cause;
    if (exceptionHandler != null) {
      exceptionHandler.handle(failure);
    }
  }

  @Override
  public SessionOutput exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    if (failure != null && handler != null) {
      handler.handle(failure);
    }
    return this;
  }

  @Override
  public SessionOutput handler(Handler<ChannelItem> handler) {
    source.handler(handler);
    return this;
  }

  @Override
  public SessionOutput pause() {
    source.pause();
    return this;
  }

  @Override
  public SessionOutput resume() {
    source.resume();
    return this;
  }

  @Override
  public SessionOutput fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public SessionOutput endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    if (ended && handler != null) {
      handler.handle(null);
    }
    return this;
  }
}
