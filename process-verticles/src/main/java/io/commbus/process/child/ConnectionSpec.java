package io.commbus.process.child;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How the node's end of one protocol connection behaves, a child's or a client's: a client
 * speaks the child protocol and differs only in what it may do.
 *
 * @param maxFrameSize  largest frame accepted from the peer, and announced to it
 * @param streamWindow  stream credit, in items, granted in both directions
 * @param callTimeout   timeout of a bus call from the peer that names none
 * @param callbackType  the bus message type a callback path is served under
 * @param gate          the calls the peer may make
 * @param serving       where {@code serve} calls go; null: the peer may not serve (a child)
 * @param maxOpenCalls  calls from the peer open at once; one more fails with OVERLOADED
 * @param maxCredit     the most items one credit (in a call, or a {@code credit} frame) counts for; more counts as this
 */
public record ConnectionSpec(int maxFrameSize, int streamWindow, Duration callTimeout,
                             UnaryOperator<String> callbackType, CallGate gate, Serving serving, int maxOpenCalls,
                             int maxCredit) {

  /** A child's: every call allowed but {@code serve}, with no limit on how many are open (the child's own loop bounds them). */
  public static ConnectionSpec child(ChildSpec spec) {
    return new ConnectionSpec(spec.maxFrameSize(), spec.streamWindow(), spec.callTimeout(), spec.callbackType(),
        CallGate.OPEN, null, Integer.MAX_VALUE, Integer.MAX_VALUE);
  }
}
