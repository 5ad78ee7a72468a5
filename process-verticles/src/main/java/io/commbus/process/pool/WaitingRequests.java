package io.commbus.process.pool;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Requests that wait, in arrival order, for a worker with room (a pool's child, a client
 * serving the type), each only until its deadline: one that is still waiting then is taken out
 * and handed to {@code expired}. Used on one context only.
 *
 * @param <R> what waits: a {@link PoolRequest}, or something that carries one
 */
public final class WaitingRequests<R> {

  private final Vertx vertx;
  /** Each waiting request and its deadline's timer, in arrival order. */
  private final Map<R, Long> waiting = new LinkedHashMap<>();

  public WaitingRequests(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Lets {@code request} wait until {@code deadlineMillis} (epoch ms), then hands it to {@code expired}. */
  public void add(R request, long deadlineMillis, Consumer<R> expired) {
    long delay = Math.max(1, deadlineMillis - System.currentTimeMillis());
    waiting.put(request, vertx.setTimer(delay, t -> {
      if (waiting.remove(request) != null) {
        expired.accept(request);
      }
    }));
  }

  /** The request that has waited longest, taken out; null when none waits. */
  public R poll() {
    var first = waiting.entrySet().iterator();
    if (!first.hasNext()) {
      return null;
    }
    var entry = first.next();
    first.remove();
    vertx.cancelTimer(entry.getValue());
    return entry.getKey();
  }

  public boolean isEmpty() {
    return waiting.isEmpty();
  }

  public int size() {
    return waiting.size();
  }

  /** Takes every waiting request out, in arrival order, to be failed. */
  public List<R> takeAll() {
    List<R> all = new ArrayList<>(waiting.keySet());
    waiting.values().forEach(vertx::cancelTimer);
    waiting.clear();
    return all;
  }
}
