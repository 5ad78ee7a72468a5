package io.commbus.process.child;

import io.commbus.process.wire.Protocol.CallOp;

/**
 * Whether the peer on a connection may make a call. A child may make every call its protocol
 * has ({@link #OPEN}); a client only those its token grants.
 */
@FunctionalInterface
public interface CallGate {

  /** Lets every call through: a child's gate. */
  CallGate OPEN = (op, type) -> {
  };

  /**
   * Returns if a call of {@code op} naming {@code type} is allowed; otherwise throws the
   * {@link io.commbus.bus.error.CommBusException} (FORBIDDEN) that call alone fails with.
   */
  void check(CallOp op, String type);
}
