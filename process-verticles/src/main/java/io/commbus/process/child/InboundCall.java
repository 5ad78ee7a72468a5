package io.commbus.process.child;

/** A call the child started and the parent still serves. */
interface InboundCall {

  /** The child granted {@code n} more items. */
  default void credit(int n) {
  }

  /** The child cancelled or the connection ended: release what the call holds. */
  void stop();
}
