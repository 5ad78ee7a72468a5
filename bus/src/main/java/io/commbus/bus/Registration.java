package io.commbus.bus;

import io.vertx.core.Future;

/** A subscription or handler registered on a bus. */
public interface Registration {

  /** The message type it receives. */
  String type();

  /** {@code subscriber}, {@code handler} or {@code stream-handler}. */
  String kind();

  /**
   * Completes once the registration is known across the cluster (at once on a single node).
   * Messages sent from other nodes before then may not reach it.
   */
  Future<Void> ready();

  /** Stops delivery to it. Idempotent. */
  Future<Void> unregister();
}
