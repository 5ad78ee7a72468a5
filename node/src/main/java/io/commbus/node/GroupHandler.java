package io.commbus.node;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;

/**
 * Handles the events of a consumer group a node's configuration declares
 * ({@code groups: [{name, types, handler: com.example.Billing}]}). The node makes it with its
 * public no-argument constructor and joins the group once its pools are ready. Each event goes
 * to one member of the group across the cluster; the returned future completing acknowledges
 * it, failing (or a throw) has it retried with the group's backoff, and after
 * {@code maxAttempts} it is parked as a dead letter. Called on an event loop: never block.
 */
@FunctionalInterface
public interface GroupHandler {

  /** Handles one event; {@code bus} is the node's, to publish, send or query what follows from it. */
  Future<?> handle(Message event, CommBus bus) throws Exception;
}
