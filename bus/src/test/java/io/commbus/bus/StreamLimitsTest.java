package io.commbus.bus;

import io.commbus.bus.TestMessages.Tick;
import io.commbus.bus.TestMessages.Ticks;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounds a stream producer cannot break. */
class StreamLimitsTest {

  private static final int WINDOW = 4;

  private Vertx vertx;
  private CommBus bus;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    bus = CommBus.create(vertx, new CommBusOptions().setStreamWindow(WINDOW)
        .setStreamIdleTimeout(Duration.ofMillis(500)));
  }

  @AfterEach
  void stop() {
    result(vertx.close());
  }

  @Test
  void aProducerIgnoringBackPressureIsRefusedNotBuffered() {
    Promise<List<Throwable>> outcome = Promise.promise();
    result(bus.registerStreamHandler(Ticks.class, (q, sink) -> {
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = 0; i < q.count(); i++) {
        writes.add(sink.write(new Tick(i, i)));
      }
      List<Throwable> failures = new ArrayList<>();
      writes.forEach(w -> {
        if (w.failed()) {
          failures.add(w.cause());
        }
      });
      outcome.complete(failures);
    }));

    // Nobody consumes: the consumer never sets a handler, so no credit returns.
    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 1000)));
    List<Throwable> failures = result(outcome.future());

    // WINDOW items left on credit; the queue holds 16 x WINDOW; the rest were refused.
    assertEquals(1000 - WINDOW - 16 * WINDOW, failures.size());
    CommBusException first = assertInstanceOf(CommBusException.class, failures.get(0));
    assertEquals(ErrorCode.OVERLOADED, first.code());
    result(stream.cancel());
  }

  @Test
  void aConsumerSeesOverflowAsAnErrorNotAsACleanEnd() {
    result(bus.registerStreamHandler(Ticks.class, (q, sink) -> {
      for (int i = 0; i < q.count(); i++) {
        sink.write(new Tick(i, i));
      }
      sink.end();
    }));

    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 1000)));
    List<Tick> received = new ArrayList<>();
    Promise<Throwable> ended = Promise.promise();
    stream.handler(received::add);
    stream.endHandler(v -> ended.tryComplete(null));
    stream.exceptionHandler(ended::tryComplete);
    Throwable error = result(ended.future());

    CommBusException overflow = assertInstanceOf(CommBusException.class, error, "items were dropped");
    assertEquals(ErrorCode.OVERLOADED, overflow.code());
    assertEquals(WINDOW + 16 * WINDOW, received.size(), "every item accepted before the overflow arrives");
  }

  @Test
  void writeQueueFullAndDrainLetAProducerFollowTheConsumer() {
    AtomicInteger drains = new AtomicInteger();
    result(bus.registerStreamHandler(Ticks.class, (q, sink) -> {
      sink.setWriteQueueMaxSize(2);
      pump(sink, 0, q.count(), drains);
    }));

    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 50)));
    List<Tick> ticks = result(stream.collect(java.util.stream.Collectors.toList()));

    assertEquals(50, ticks.size());
    assertTrue(drains.get() > 0, "the producer never had to wait for drain");
  }

  /** The classic pump: write while the queue has room, wait for drain when it is full. */
  private static void pump(StreamSink<Tick> sink, int from, int to, AtomicInteger drains) {
    int i = from;
    while (i < to && !sink.writeQueueFull()) {
      sink.write(new Tick(i, i));
      i++;
    }
    if (i == to) {
      sink.end();
      return;
    }
    int next = i;
    sink.drainHandler(v -> {
      drains.incrementAndGet();
      pump(sink, next, to, drains);
    });
  }

  @Test
  void aProducerWhoseConsumerStopsGrantingCreditTimesOut() {
    Promise<Throwable> producerError = Promise.promise();
    result(bus.registerStreamHandler(Ticks.class, (q, sink) -> {
      sink.exceptionHandler(producerError::tryComplete);
      for (int i = 0; i < WINDOW + 1; i++) {
        sink.write(new Tick(i, i));
      }
    }));

    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 5)));
    stream.pause();

    CommBusException error = assertInstanceOf(CommBusException.class, result(producerError.future()));
    assertEquals(ErrorCode.TIMEOUT, error.code());
  }

  @Test
  void endingFromAWriteCallbackWhileCreditArrivesEndsTheStreamOnce() {
    List<Throwable> unhandled = java.util.Collections.synchronizedList(new ArrayList<>());
    vertx.exceptionHandler(unhandled::add);
    Promise<Void> ended = Promise.promise();
    // The handler lives on a known context, so a task queued there later runs after its work.
    Context producerContext = vertx.getOrCreateContext();
    Promise<Registration> registered = Promise.promise();
    producerContext.runOnContext(v -> bus.registerStreamHandler(Ticks.class, (q, sink) -> {
      // More items than the window, so the last write completes inside a credit flush.
      for (int i = 0; i < q.count(); i++) {
        Future<Void> written = sink.write(new Tick(i, i));
        if (i == q.count() - 1) {
          written.onSuccess(w -> sink.end().onComplete(ar -> ended.handle(ar)));
        }
      }
    }).onComplete(registered));
    result(registered.future());

    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 3 * WINDOW)));
    assertEquals(3 * WINDOW, result(stream.collect(java.util.stream.Collectors.toList())).size());
    result(ended.future());
    Promise<Void> producerIdle = Promise.promise();
    producerContext.runOnContext(v -> producerIdle.complete());
    result(producerIdle.future());

    assertEquals(List.of(), unhandled);
  }
}
