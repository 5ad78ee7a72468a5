package io.commbus.bus;

import io.commbus.bus.TestMessages.GetPrice;
import io.commbus.bus.TestMessages.Price;
import io.commbus.bus.TestMessages.PriceQuoted;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With an OpenTelemetry SDK configured, each hop is a span and the receiver's is the caller's child. */
class TracingTest {

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private SdkTracerProvider tracerProvider;
  private Vertx vertx;
  private CommBus bus;

  @BeforeEach
  void start() {
    tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    vertx = Vertx.vertx();
    bus = CommBus.create(vertx, new CommBusOptions().setOpenTelemetry(sdk));
  }

  @AfterEach
  void stop() {
    result(vertx.close());
    tracerProvider.close();
  }

  private SpanData span(String name) {
    Optional<SpanData> found = exporter.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name))
        .findFirst();
    assertTrue(found.isPresent(), "no span '" + name + "' in " + exporter.getFinishedSpanItems());
    return found.get();
  }

  @Test
  void aQueryIsAClientSpanAndItsAnswerAServerSpanBeneathIt() {
    result(bus.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price(q.symbol(), 1))));

    result(bus.query(new GetPrice("ACME")));

    SpanData client = span("query GetPrice");
    SpanData server = span("answer GetPrice");
    assertEquals(SpanKind.CLIENT, client.getKind());
    assertEquals(SpanKind.SERVER, server.getKind());
    assertEquals(client.getTraceId(), server.getTraceId());
    assertEquals(client.getSpanId(), server.getParentSpanId());
  }

  @Test
  void anEventIsAProducerSpanAndEachDeliveryAConsumerSpan() {
    Promise<Void> received = Promise.promise();
    // The consumer span ends right after the subscriber returns, on the subscriber's context; a
    // task queued on that context after the delivery runs once the span has ended.
    io.vertx.core.Context context = vertx.getOrCreateContext();
    result(CommBusContract.onContext(context, () -> bus.subscribe(PriceQuoted.class, e -> received.complete()).ready()));

    result(bus.publish(new PriceQuoted("ACME", 1)));
    result(received.future());
    result(CommBusContract.onContext(context, Future::succeededFuture));

    SpanData producer = span("publish test.PriceQuoted");
    List<SpanData> receives = exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().equals("receive test.PriceQuoted")).toList();
    assertEquals(SpanKind.PRODUCER, producer.getKind());
    assertEquals(1, receives.size(), exporter.getFinishedSpanItems().toString());
    assertEquals(producer.getSpanId(), receives.get(0).getParentSpanId());
  }
}
