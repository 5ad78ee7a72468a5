package io.commbus.bus.stream;

import io.commbus.bus.internal.Wire;

/**
 * The kinds of frame a streamed query exchanges, carried in the {@link Wire#FRAME} header.
 * The producer sends items and one final frame ({@link #END} or {@link #ERROR}) to the
 * consumer; the consumer sends credit, cancellation and the acknowledgement of the final
 * frame back. The wire names never change: other nodes and languages rely on them.
 */
enum StreamFrame {
  /** Producer to consumer: one item, numbered by {@link Wire#SEQ} from 0. */
  ITEM("item"),
  /** Producer to consumer: no item follows. */
  END("end"),
  /** Producer to consumer: the stream failed; the body is the error's JSON. */
  ERROR("error"),
  /** Consumer to producer: {@link Wire#CREDIT} more items may be sent. */
  CREDIT("credit"),
  /** Consumer to producer: stop; the producer acknowledges with an {@link #ERROR} frame. */
  CANCEL("cancel"),
  /** Consumer to producer: the final frame arrived; nothing more will be sent to the producer. */
  DONE("done");

  private final String wireName;

  StreamFrame(String wireName) {
    this.wireName = wireName;
  }

  String wireName() {
    return wireName;
  }

  /** The kind a frame's header names, or null for a missing or unknown one. */
  static StreamFrame fromWireName(String name) {
    if (name == null) {
      return null;
    }
    switch (name) {
      case "item":
        return ITEM;
      case "end":
        return END;
      case "error":
        return ERROR;
      case "credit":
        return CREDIT;
      case "cancel":
        return CANCEL;
      case "done":
        return DONE;
      default:
        return null;
    }
  }

  /** True for the producer's last frame: {@link #END} or {@link #ERROR}. */
  boolean isFinal() {
    return this == END || this == ERROR;
  }
}
