package io.commbus.bus.middleware;

import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Logs each call when it leaves and when it completes, with its duration and any error code.
 * Lines go to {@code System.Logger} ({@code io.commbus.bus.middleware}) at INFO by default, or
 * to any line consumer (the demo prints them).
 */
public final class LoggingMiddleware implements Middleware {

  private final Consumer<String> sink;

  public LoggingMiddleware() {
    System.Logger logger = System.getLogger(LoggingMiddleware.class.getPackageName());
    this.sink = line -> logger.log(System.Logger.Level.INFO, line);
  }

  public LoggingMiddleware(Consumer<String> sink) {
    this.sink = sink;
  }

  @Override
  public Future<Object> before(MiddlewareContext ctx, Object message) {
    sink.accept("-> " + ctx.category().wireName() + " " + ctx.type() + " #" + shortId(ctx.id()));
    return Future.succeededFuture(message);
  }

  @Override
  public Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
    long micros = Duration.between(ctx.timestamp(), Instant.now()).toNanos() / 1_000;
    String took = micros >= 1_000 ? String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0) : micros + " us";
    if (error == null) {
      sink.accept("<- " + ctx.category().wireName() + " " + ctx.type() + " #" + shortId(ctx.id()) + " ok in " + took);
      return Future.succeededFuture(result);
    }
    sink.accept("<- " + ctx.category().wireName() + " " + ctx.type() + " #" + shortId(ctx.id()) + " failed in " + took
        + ": " + error);
    return Future.failedFuture(error);
  }

  private static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }
}
