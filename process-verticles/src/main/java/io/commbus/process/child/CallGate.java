package io.commbus.process.child;

import io.commbus.process.wire.Protocol.CallOp;

import java.util.Set;

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

  /**
   * Returns if the peer may join {@code group} for events of {@code types} (empty: every type),
   * which {@link #check} of the group call has allowed; otherwise throws as {@code check} does.
   */
  default void checkGroupTypes(String group, Set<String> types) {
  }
}
