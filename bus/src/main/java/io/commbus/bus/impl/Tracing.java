package io.commbus.bus.impl;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Spans around bus calls and the W3C trace context in headers. With no OpenTelemetry SDK the
 * spans are no-ops, but every message still carries a traceparent: a new one for a call made
 * outside any trace, or the incoming one inside a handler, so a trace id survives each hop.
 */
final class Tracing {

  private static final TextMapSetter<DeliveryOptions> SETTER = (options, key, value) -> options.addHeader(key, value);
  private static final TextMapGetter<MultiMap> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(MultiMap carrier) {
      return carrier.names();
    }

    @Override
    public String get(MultiMap carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  private final Tracer tracer;
  private final W3CTraceContextPropagator propagator = W3CTraceContextPropagator.getInstance();

  Tracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("io.commbus.bus");
  }

  /** Starts the caller's span, child of the current context. */
  Span startOutgoing(String name, SpanKind kind) {
    return tracer.spanBuilder(name).setSpanKind(kind).startSpan();
  }

  /** Writes the span's trace context into the headers, or a fresh traceparent if it has none. */
  void inject(Span span, DeliveryOptions options) {
    if (span.getSpanContext().isValid()) {
      propagator.inject(Context.current().with(span), options, SETTER);
    } else {
      options.addHeader(Wire.TRACEPARENT, Ids.traceparent());
    }
  }

  /** Starts the receiver's span as a child of the trace context in the headers. */
  Span startIncoming(String name, SpanKind kind, MultiMap headers) {
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    return tracer.spanBuilder(name).setParent(parent).setSpanKind(kind).startSpan();
  }
}
