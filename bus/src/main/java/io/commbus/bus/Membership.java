package io.commbus.bus;

import java.util.function.Consumer;

/**
 * How a clustered bus learns that a member left the cluster, so that calls in flight to it fail
 * at once rather than at their deadline. The bus reads everything else (its own member id, the
 * members, who handles an address) from Vert.x's public cluster SPI; only the leave event comes
 * from here, because Vert.x keeps its own node listener to itself. {@code commbus-cluster}'s
 * {@code Cluster::onMemberLeft} is one.
 */
@FunctionalInterface
public interface Membership {

  /**
   * Calls {@code listener} with the cluster member id of every member that leaves, on any
   * thread, until the returned action is run.
   */
  Runnable onMemberLeft(Consumer<String> listener);
}
