package io.commbus.process.child;

import io.commbus.bus.error.CommBusException;

/**
 * A request the parent sent to a child, waiting for its answer: one value, or a stream of
 * items. The connection feeds it the child's frames; the pool learns when it is over.
 */
public interface Exchange {

  /** The request's deadline, epoch milliseconds. */
  long deadlineMillis();

  /** The bus message type, sent as {@code type}. */
  String type();

  /** The payload: JsonObject, Buffer, another JSON value, or null. */
  Object payload();

  /** The traceparent to send. */
  String traceparent();

  /** Adds what else this request's {@code req} header says (a group's event: its group and position); nothing by default. */
  default void addToHeader(io.vertx.core.json.JsonObject header) {
  }

  /** True when the answer may be a stream, so credit is granted. */
  boolean streamed();

  /** A single value arrived ({@code res}). */
  void onValue(Object value);

  /** A stream item arrived; run {@code consumed} once it has left for its consumer, which returns credit. */
  void onItem(Object value, Runnable consumed);

  /** The stream ended ({@code end}). */
  void onEnd();

  /** The exchange failed: an {@code err} frame, a timeout, a protocol error or the child's exit. */
  void onError(CommBusException error);

  /**
   * The request never reached the child: it was no longer taking requests, or its connection
   * ended before the request was written. The child cannot have run it, so whoever sent it may
   * send it elsewhere; {@code why} says why, for when there is nowhere else. Fails by default.
   */
  default void onUndelivered(CommBusException why) {
    onError(why);
  }

  /** Registers what to do if the caller gives up (a cancelled stream); may be ignored. */
  void onCallerCancel(Runnable cancel);
}
