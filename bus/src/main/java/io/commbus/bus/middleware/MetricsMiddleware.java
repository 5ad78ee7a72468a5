package io.commbus.bus.middleware;

import io.commbus.bus.error.CommBusException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts calls, failures (by error code) and total latency per category and type.
 * {@link #snapshot()} returns the figures as JSON for an admin endpoint.
 */
public final class MetricsMiddleware implements Middleware {

  private final Map<String, TypeMetrics> byKey = new ConcurrentHashMap<>();

  @Override
  public Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
    TypeMetrics metrics = byKey.computeIfAbsent(ctx.category().wireName() + " " + ctx.type(), k -> new TypeMetrics());
    metrics.calls.increment();
    metrics.nanos.add(Duration.between(ctx.timestamp(), Instant.now()).toNanos());
    if (error != null) {
      String code = error instanceof CommBusException ? ((CommBusException) error).code().name() : "INTERNAL";
      metrics.failures.computeIfAbsent(code, k -> new LongAdder()).increment();
      return Future.failedFuture(error);
    }
    return Future.succeededFuture(result);
  }

  /** Calls made of a category and type ({@code "query GetPrice"}). */
  public long calls(String categoryAndType) {
    TypeMetrics metrics = byKey.get(categoryAndType);
    return metrics == null ? 0 : metrics.calls.sum();
  }

  /** Failed calls of a category and type with an error code. */
  public long failures(String categoryAndType, String code) {
    TypeMetrics metrics = byKey.get(categoryAndType);
    LongAdder count = metrics == null ? null : metrics.failures.get(code);
    return count == null ? 0 : count.sum();
  }

  /** {@code {"query GetPrice": {"calls": n, "failures": {"TIMEOUT": n}, "meanMicros": x}}}. */
  public JsonObject snapshot() {
    JsonObject json = new JsonObject();
    new TreeMap<>(byKey).forEach((key, metrics) -> {
      long calls = metrics.calls.sum();
      JsonObject failures = new JsonObject();
      new TreeMap<>(metrics.failures).forEach((code, count) -> failures.put(code, count.sum()));
      json.put(key, new JsonObject()
          .put("calls", calls)
          .put("failures", failures)
          .put("meanMicros", calls == 0 ? 0 : metrics.nanos.sum() / calls / 1_000));
    });
    return json;
  }

  private static final class TypeMetrics {
    final LongAdder calls = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  }
}
