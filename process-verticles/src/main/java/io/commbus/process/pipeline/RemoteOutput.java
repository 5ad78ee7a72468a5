package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.process.wire.ProtocolViolation;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A session's open output on another host, read in the owner's process: the bus stream that
 * host serves ({@code commbus.session.<id>.out.<node>.<port>}) as a {@link ReadStream} of
 * {@link ChannelItem}s, heartbeats skipped. The stream is asked for at once; what is set before
 * it arrives (handlers, demand) is applied when it does. Used on the sessions' context.
 */
final class RemoteOutput implements ReadStream<ChannelItem> {

  private QueryStream<Message> stream;
  private Handler<ChannelItem> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private Throwable failedToOpen;

  RemoteOutput(CommBus bus, String type) {
    // As long as the bus allows: its reader may hold the node back as long as it likes.
    bus.queryStream(Message.query(type, null), CommBusOptions.MAX_TIMEOUT).onComplete(ar -> {
      if (ar.failed()) {
        failedToOpen = ar.cause();
        if (exceptionHandler != null) {
          exceptionHandler.handle(failedToOpen);
        }
        return;
      }
      stream = ar.result();
      stream.exceptionHandler(e -> {
        if (exceptionHandler != null) {
          exceptionHandler.handle(e);
        }
      });
      stream.endHandler(v -> {
        if (endHandler != null) {
          endHandler.handle(null);
        }
      });
      if (demand != Long.MAX_VALUE) {
        stream.pause();
        stream.fetch(demand);
      }
      if (handler != null) {
        stream.handler(this::received);  // without one, the bus stream holds the items until one is set
      }
    });
  }

  private void received(Message message) {
    if (!(message.body() instanceof Buffer bytes) || bytes.length() == 0) {
      if (demand != Long.MAX_VALUE) {
        stream.fetch(1);  // a heartbeat: the output is quiet; it took a unit of demand that was the reader's
      }
      return;
    }
    ChannelItem item;
    try {
      item = ChannelFrames.item(ChannelFrames.decode(bytes));
    } catch (ProtocolViolation e) {
      stream.cancel();
      if (exceptionHandler != null) {
        exceptionHandler.handle(e);
      }
      return;
    }
    if (demand != Long.MAX_VALUE) {
      demand--;
    }
    if (handler != null) {
      handler.handle(item);
    }
  }

  @Override
  public RemoteOutput exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    if (failedToOpen != null && handler != null) {
      handler.handle(failedToOpen);
    }
    return this;
  }

  @Override
  public RemoteOutput handler(Handler<ChannelItem> handler) {
    this.handler = handler;
    if (stream != null) {
      stream.handler(handler == null ? null : this::received);
    }
    return this;
  }

  @Override
  public RemoteOutput pause() {
    demand = 0;
    if (stream != null) {
      stream.pause();
    }
    return this;
  }

  @Override
  public RemoteOutput resume() {
    demand = Long.MAX_VALUE;
    if (stream != null) {
      stream.resume();
    }
    return this;
  }

  @Override
  public RemoteOutput fetch(long amount) {
    demand = demand == Long.MAX_VALUE || Long.MAX_VALUE - demand < amount ? Long.MAX_VALUE : demand + amount;
    if (stream != null) {
      stream.fetch(amount);
    }
    return this;
  }

  @Override
  public RemoteOutput endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }
}
