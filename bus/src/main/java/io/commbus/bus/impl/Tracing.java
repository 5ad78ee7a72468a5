package io.commbus.bus.impl;

import io.commbus.bus.internal.Wire;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.eventbus.DeliveryOptions;

import java.util.List;

/**
 * Spans around bus calls and the W3C trace context in headers.
 *
 * <p>Every message carries a traceparent, SDK or not: a new one for a call made outside any
 * trace, the incoming one inside a handler, so a trace id survives each hop. With no
 * OpenTelemetry SDK (a no-op tracer) the bus makes no spans at all and only carries the
 * incoming traceparent along, which keeps tracing off the hot path when nobody records it.
 */
final class Tracing {

  private static final String INSTRUMENTATION = "io.commbus.bus";
  /** The incoming traceparent inside a handler, when no SDK records spans. */
  private static final ContextKey<String> INCOMING = ContextKey.named("commbus-incoming-traceparent");

  private static final TextMapSetter<DeliveryOptions> SETTER = (options, key, value) -> options.addHeader(key, value);
  private static final TextMapGetter<ReceivedHeaders> GETTER = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(ReceivedHeaders carrier) {
      return List.of(Wire.TRACEPARENT, Wire.TRACESTATE);
    }

    @Override
    public String get(ReceivedHeaders carrier, String key) {
      if (carrier == null) {
        return null;
      }
      return Wire.TRACEPARENT.equals(key) ? carrier.traceparent
          : Wire.TRACESTATE.equals(key) ? carrier.tracestate : null;
    }
  };

  private final Tracer tracer;
  private final boolean recording;
  private final W3CTraceContextPropagator propagator = W3CTraceContextPropagator.getInstance();

  Tracing(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer(INSTRUMENTATION);
    // The no-op provider hands out one shared tracer; anything else is an SDK that may record.
    this.recording = tracer != TracerProvider.noop().get(INSTRUMENTATION);
  }

  /** True when an SDK is configured and spans are made. */
  boolean recording() {
    return recording;
  }

  /** Starts the caller's span ({@code "query GetPrice"}), child of the current context. */
  Span startOutgoing(String verb, String type, SpanKind kind) {
    if (!recording) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(verb + ' ' + type).setSpanKind(kind).startSpan();
  }

  /** Writes the trace context into the headers: the span's, the current one, or a new one. */
  void inject(Span span, DeliveryOptions options) {
    if (span.getSpanContext().isValid()) {
      propagator.inject(Context.current().with(span), options, SETTER);
      return;
    }
    Context current = Context.current();
    if (Span.fromContext(current).getSpanContext().isValid()) {
      propagator.inject(current, options, SETTER);
      return;
    }
    String incoming = current.get(INCOMING);
    options.addHeader(Wire.TRACEPARENT, incoming != null ? incoming : Ids.traceparent());
  }

  /** Starts the receiver's span as a child of the trace context in the headers. */
  Span startIncoming(String verb, String type, SpanKind kind, ReceivedHeaders headers) {
    if (!recording) {
      return Span.getInvalid();
    }
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    return tracer.spanBuilder(verb + ' ' + type).setParent(parent).setSpanKind(kind).startSpan();
  }

  /** Makes the receiver's trace context current while its handler runs. */
  Scope enter(Span span, ReceivedHeaders headers) {
    if (recording) {
      return span.makeCurrent();
    }
    if (headers.traceparent == null) {
      return Scope.noop();
    }
    return Context.current().with(INCOMING, headers.traceparent).makeCurrent();
  }
}
