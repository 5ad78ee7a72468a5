package io.commbus.node.admin;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Supplier;

/**
 * The W3C trace context an HTTP request brings ({@code traceparent}, {@code tracestate}), made
 * current while the bus call it asks for starts, so the call continues the caller's trace: its
 * span (with an OpenTelemetry SDK) is the request's child, and without one the message still
 * carries the caller's trace id. A request without a valid {@code traceparent} starts a trace of
 * its own, as before.
 */
final class IncomingTrace {

  private static final TextMapGetter<HttpServerRequest> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpServerRequest request) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(HttpServerRequest request, String key) {
      return request == null ? null : request.getHeader(key);
    }
  };

  private IncomingTrace() {
  }

  /** Runs {@code call} with {@code request}'s trace context current, if it has one. */
  static <T> T around(HttpServerRequest request, Supplier<T> call) {
    if (request.getHeader("traceparent") == null) {
      return call.get();
    }
    Context context = W3CTraceContextPropagator.getInstance().extract(Context.current(), request, HEADERS);
    try (Scope scope = context.makeCurrent()) {
      return call.get();
    }
  }
}
