package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.vertx.core.Context;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/** A Java node's channels, by port name, and what else it may use: the bus and the context it runs on. */
public interface NodePorts {

  /** The items of input {@code name}; an IllegalArgumentException names the ports when there is none. */
  ReadStream<ChannelItem> input(String name);

  /** Output {@code name}, at its reader's pace ({@code writeQueueFull} while it has no credit). */
  WriteStream<ChannelItem> output(String name);

  /** The session's id, and this node's id in it. */
  String sessionId();

  String nodeId();

  CommBus bus();

  /** The context the node runs on, where its ports are used. */
  Context context();
}
