package io.commbus.bus.internal;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.cluster.ClusterManager;

/**
 * The one place in commbus that reaches into Vert.x's internal API ({@code io.vertx.core.internal}),
 * for the few things the public API has no way to say. Everything else uses public API; a test
 * (ArchitectureTest) keeps it so. Not part of commbus's API.
 *
 * <ul>
 *   <li><b>Context roots.</b> Vert.x delivers each event-bus message on a duplicate of the
 *   consumer's context, so "am I on this context?" must compare the underlying contexts, not the
 *   duplicates; otherwise work that could run inline hops and arrives late.</li>
 *   <li><b>Context-bound promises.</b> A promise whose callbacks run on a given context, so an
 *   outcome completed on a worker thread or another loop is observed where its owner lives.</li>
 *   <li><b>The cluster manager.</b> A clustered bus reads who handles an address and which
 *   members remain through Vert.x's public cluster SPI; only the way to it is internal.</li>
 *   <li><b>A context of no deployment.</b> The node starts and stops its parts from a context
 *   that belongs to none of them, so none becomes another's child.</li>
 *   <li><b>A socket closed now.</b> {@code NetSocket.close()} waits for what is queued to be
 *   written, which a peer that reads nothing never allows; the client endpoint must let go of
 *   such a peer and its queue.</li>
 * </ul>
 */
public final class VertxInternals {

  private VertxInternals() {
  }

  /** The context confinement is checked against: the root of {@code context}'s duplicates. */
  public static Context root(Context context) {
    return ((ContextInternal) context).unwrap();
  }

  /** Runs {@code action} now if the caller is on {@code root} (or a duplicate of it), else queues it there. */
  public static void runOn(Context root, Runnable action) {
    ContextInternal current = ContextInternal.current();
    if (current != null && current.unwrap() == root) {
      action.run();
    } else {
      root.runOnContext(v -> action.run());
    }
  }

  /** A promise whose future completes its callbacks on {@code context}. */
  public static <T> Promise<T> promiseOn(Context context) {
    return ((ContextInternal) context).promise();
  }

  /** The cluster manager of {@code vertx}; null when it is not clustered. */
  public static ClusterManager clusterManager(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager();
  }

  /**
   * Closes {@code socket} at once, dropping what is queued for it: from the socket's own handler
   * context outward, past Vert.x's handler, whose close waits for the queue to be flushed.
   */
  public static void abort(NetSocket socket) {
    if (socket instanceof NetSocketInternal) {
      ((NetSocketInternal) socket).channelHandlerContext().close();
    } else {
      socket.close();
    }
  }

  /**
   * Keeps {@code socket} open when a write to it fails (the peer is gone), so what the peer sent
   * before it went is still read, to the end of the stream, and the close comes after it.
   */
  public static void readToTheEnd(NetSocket socket) {
    if (socket instanceof NetSocketInternal) {
      ((NetSocketInternal) socket).channelHandlerContext().channel().config().setAutoClose(false);
    }
  }

  /** A new event-loop context that belongs to no deployment. */
  public static Context newEventLoopContext(Vertx vertx) {
    return ((VertxInternal) vertx).createEventLoopContext();
  }
}
