package io.commbus.coordinator;

import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.OverloadedException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.PriorityQueue;

/**
 * One service's load: at most {@code maxConcurrent} requests run at once; the others wait in a
 * bounded queue, higher priority first and first-come first-served within a priority. A
 * request that waits past its deadline leaves the queue with TIMEOUT; a full queue answers
 * OVERLOADED. Thread-safe; waiters are woken outside the lock.
 */
final class LoadLimiter {

  private final Vertx vertx;
  private final int queueCapacity;
  private final PriorityQueue<Waiter> queue = new PriorityQueue<>();
  private int maxConcurrent;
  private int running;
  private long sequence;

  private final class Waiter implements Comparable<Waiter> {
    final Priority priority;
    final long order;
    final Promise<Void> admitted = Promise.promise();
    long timer = -1;

    Waiter(Priority priority, long order) {
      this.priority = priority;
      this.order = order;
    }

    @Override
    public int compareTo(Waiter other) {
      int byPriority = Integer.compare(other.priority.ordinal(), priority.ordinal());
      return byPriority != 0 ? byPriority : Long.compare(order, other.order);
    }
  }

  LoadLimiter(Vertx vertx, int maxConcurrent, int queueCapacity) {
    this.vertx = vertx;
    this.maxConcurrent = maxConcurrent;
    this.queueCapacity = queueCapacity;
  }

  /** Completes when the request may run; the caller must {@link #release()} exactly once after. */
  Future<Void> acquire(Priority priority, long timeoutMillis, String service) {
    Waiter waiter;
    synchronized (this) {
      if (running < maxConcurrent && queue.isEmpty()) {
        running++;
        return Future.succeededFuture();
      }
      if (queue.size() >= queueCapacity) {
        return Future.failedFuture(new OverloadedException(service + " is at capacity (" + maxConcurrent
            + " running) and its queue is full (" + queueCapacity + " waiting)"));
      }
      waiter = new Waiter(priority, sequence++);
      queue.add(waiter);
    }
    waiter.timer = vertx.setTimer(Math.max(1, timeoutMillis), id -> {
      boolean removed;
      synchronized (this) {
        removed = queue.remove(waiter);
      }
      if (removed) {
        waiter.admitted.tryFail(new BusTimeoutException("waited " + timeoutMillis + " ms in the queue of " + service));
      }
    });
    return waiter.admitted.future();
  }

  /** Frees a slot, admitting the next waiter if any. */
  void release() {
    Waiter next;
    synchronized (this) {
      next = queue.poll();
      if (next == null) {
        running--;
        return;
      }
    }
    // The slot passes straight to the next waiter: running stays the same.
    vertx.cancelTimer(next.timer);
    next.admitted.tryComplete();
  }

  /** Follows the registry's limit for the service. */
  synchronized void maxConcurrent(int limit) {
    this.maxConcurrent = limit;
  }

  synchronized int running() {
    return running;
  }

  synchronized int queued() {
    return queue.size();
  }
}
