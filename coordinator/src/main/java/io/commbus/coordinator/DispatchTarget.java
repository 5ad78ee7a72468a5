package io.commbus.coordinator;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to dispatch: the service, the method, the priority while queued, the timeout of
 * each attempt (queueing included), and how many times a retryable failure is retried.
 */
public final class DispatchTarget {

  private final String serviceName;
  private final String method;
  private Priority priority = Priority.NORMAL;
  private Duration timeout = Duration.ofSeconds(300);
  private int maxRetries = 3;

  public DispatchTarget(String serviceName, String method) {
    this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
    this.method = Objects.requireNonNull(method, "method");
  }

  public String serviceName() {
    return serviceName;
  }

  public String method() {
    return method;
  }

  public Priority priority() {
    return priority;
  }

  public DispatchTarget priority(Priority newPriority) {
    this.priority = Objects.requireNonNull(newPriority, "priority");
    return this;
  }

  /** Per attempt, waiting in the queue included (default 300 s). */
  public Duration timeout() {
    return timeout;
  }

  public DispatchTarget timeout(Duration newTimeout) {
    if (newTimeout == null || newTimeout.isZero() || newTimeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + newTimeout);
    }
    this.timeout = newTimeout;
    return this;
  }

  /** Retries after a retryable failure: TIMEOUT, OVERLOADED, CHILD_EXITED, NODE_LEFT (default 3). */
  public int maxRetries() {
    return maxRetries;
  }

  public DispatchTarget maxRetries(int newMaxRetries) {
    if (newMaxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative, was " + newMaxRetries);
    }
    this.maxRetries = newMaxRetries;
    return this;
  }
}
