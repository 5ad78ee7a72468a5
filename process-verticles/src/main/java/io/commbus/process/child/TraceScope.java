package io.commbus.process.child;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.util.List;
import java.util.Map;

/**
 * Moves W3C trace context across the socket: a child's {@code tp} becomes the current context
 * while the parent makes the bus call for it, and the current context becomes the {@code tp}
 * of a request to the child. The bus then continues the same trace on every hop.
 */
public final class TraceScope {

  private static final String TRACEPARENT = "traceparent";
  private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return List.of(TRACEPARENT);
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private TraceScope() {
  }

  /** Makes {@code traceparent} the current remote parent; a no-op scope for null or garbage. */
  public static Scope enter(String traceparent) {
    if (traceparent == null) {
      return Scope.noop();
    }
    Context context = W3CTraceContextPropagator.getInstance()
        .extract(Context.current(), Map.of(TRACEPARENT, traceparent), GETTER);
    return context.makeCurrent();
  }

  /** The trace id {@code traceparent} names (32 hex digits); null for null or garbage. */
  public static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    Context context = W3CTraceContextPropagator.getInstance()
        .extract(Context.root(), Map.of(TRACEPARENT, traceparent), GETTER);
    var span = Span.fromContext(context).getSpanContext();
    return span.isValid() ? span.getTraceId() : null;
  }

  /** The traceparent to send: the current span's when one is recording, else the message's own. */
  public static String outgoing(String messageTraceparent) {
    Span span = Span.current();
    if (span.getSpanContext().isValid() && span.getSpanContext().isSampled()) {
      var context = span.getSpanContext();
      return "00-" + context.getTraceId() + "-" + context.getSpanId() + "-" + context.getTraceFlags().asHex();
    }
    return messageTraceparent;
  }
}
