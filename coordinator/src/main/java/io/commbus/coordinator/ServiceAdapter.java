package io.commbus.coordinator;

import io.commbus.bus.Message;
import io.vertx.core.Future;

import java.time.Duration;

/**
 * Reaches a service that lives outside the bus (an HTTP endpoint, a queue). The dispatcher
 * tries a local handler first, then the service's bus address on any node, and only when
 * nobody on the bus handles the service does it ask the first adapter that serves it.
 */
public interface ServiceAdapter {

  /** A short name for logs and errors, e.g. {@code http}. */
  String name();

  /** Whether this adapter knows how to reach {@code service} (usually from its metadata). */
  boolean serves(ServiceDescriptor service);

  /**
   * Calls the service. The reply's body is the service's answer; failures are
   * {@link io.commbus.bus.error.CommBusException}s with the bus's codes, so retries and
   * callers treat them like any other.
   */
  Future<Message> invoke(ServiceDescriptor service, String method, Message request, Duration timeout);
}
