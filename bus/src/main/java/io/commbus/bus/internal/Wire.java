package io.commbus.bus.internal;

/**
 * Header names and values of the bus's wire format on the event bus. Documented in
 * docs/wire-format.md; other languages rely on these names, so they never change. The kinds
 * of stream frame are {@code io.commbus.bus.stream.StreamFrame}. Internal, not API: public
 * only so that the bus's own packages share it.
 */
public final class Wire {

  /** Category, id, send time, deadline and type in one value; see {@code io.commbus.bus.impl.Envelope}. */
  public static final String ENVELOPE = "cb-env";
  /** On journaled events: the journal position. */
  public static final String POSITION = "cb-pos";
  public static final String TRACEPARENT = "traceparent";
  public static final String TRACESTATE = "tracestate";
  /** Present ("1") when a non-object value travels wrapped as {"value": ...}. */
  public static final String WRAPPED = "cb-wrapped";
  /** On replies: what kind of reply this is. */
  public static final String REPLY = "cb-reply";
  /** On a query: "stream" when the caller accepts a streamed reply. */
  public static final String MODE = "cb-mode";
  /** On a streamed query: the stream id, from which both stream addresses derive. */
  public static final String STREAM = "cb-stream";
  /** On a streamed query: initial credit; on a credit frame: credit granted. */
  public static final String CREDIT = "cb-credit";
  /** On a streamed query: idle timeout in milliseconds both ends apply. */
  public static final String IDLE = "cb-idle";
  /** On stream frames: which frame it is, see {@code io.commbus.bus.stream.StreamFrame}. */
  public static final String FRAME = "cb-frame";
  /** On stream items: sequence number from 0. */
  public static final String SEQ = "cb-seq";
  /** On a clustered stream's accepting reply: the cluster member id of the producer. */
  public static final String MEMBER = "cb-member";

  /** A reply without {@link #REPLY} is a value (or, to a command, the receipt). */
  public static final String REPLY_STREAM = "stream";
  /**
   * The failure code of an error reply: the handler side fails the message with this code and
   * the error's JSON as the failure message, so successful replies carry no header at all.
   */
  public static final int ERROR_REPLY_CODE = 0xCB;

  public static final String MODE_STREAM = "stream";

  private Wire() {
  }

  /** Header names metadata may not use: the bus's own and the trace context. */
  public static boolean isReserved(String name) {
    return name.regionMatches(true, 0, "cb-", 0, 3) || name.equalsIgnoreCase(TRACEPARENT)
        || name.equalsIgnoreCase(TRACESTATE);
  }
}
