package io.commbus.bus;

import io.commbus.bus.TestMessages.GetPrice;
import io.commbus.bus.TestMessages.PlaceOrder;
import io.commbus.bus.TestMessages.Price;
import io.commbus.bus.TestMessages.PriceQuoted;
import io.commbus.bus.TestMessages.Shout;
import io.commbus.bus.TestMessages.Tick;
import io.commbus.bus.TestMessages.Ticks;
import io.commbus.bus.TestMessages.Unanswered;
import io.commbus.bus.error.CancelledException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.OverloadedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static io.commbus.bus.Await.failure;
import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every behaviour of the bus, between a caller bus A and a handler bus B. Subclasses place A and
 * B on one Vert.x instance, or on two clustered nodes.
 */
@Timeout(60)
abstract class CommBusContract {

  static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  static final int WINDOW = 4;

  protected CommBus a;
  protected CommBus b;

  protected abstract Vertx vertxA();

  protected abstract Vertx vertxB();

  /** Exceptions no handler caught, on either node: always a bug in the bus. */
  protected final List<Throwable> unhandled = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void createBuses() {
    vertxA().exceptionHandler(unhandled::add);
    vertxB().exceptionHandler(unhandled::add);
    CommBusOptions options = new CommBusOptions().setStreamWindow(WINDOW);
    a = CommBus.create(vertxA(), options);
    b = CommBus.create(vertxB(), options);
  }

  @AfterEach
  void closeBuses() {
    result(a.close());
    result(b.close());
    assertEquals(List.of(), unhandled, "exceptions escaped to the Vert.x context");
  }

  static String uniqueType(String base) {
    return base + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  <T> T ready(Future<Registration> registration) {
    result(result(registration).ready());
    return null;
  }

  // ------------------------------------------------------------------ publish

  @Test
  void publishReachesEverySubscriberOnBothBuses() {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> all = Promise.promise();
    AtomicInteger count = new AtomicInteger();
    Runnable counted = () -> {
      if (count.incrementAndGet() == 3) {
        all.complete();
      }
    };
    Registration onA = a.subscribe(PriceQuoted.class, e -> {
      received.add("A1:" + e.symbol() + "@" + e.price());
      counted.run();
    });
    Registration onB1 = b.subscribe(PriceQuoted.class, e -> {
      received.add("B1:" + e.symbol() + "@" + e.price());
      counted.run();
    });
    Registration onB2 = b.subscribe("test.PriceQuoted", m -> {
      received.add("B2:" + m.json().getString("symbol") + "@" + m.json().getDouble("price"));
      counted.run();
    });
    result(Future.all(onA.ready(), onB1.ready(), onB2.ready()));

    result(a.publish(new PriceQuoted("ACME", 12.5)));
    result(all.future());

    assertEquals(List.of("A1:ACME@12.5", "B1:ACME@12.5", "B2:ACME@12.5"),
        received.stream().sorted().collect(Collectors.toList()));
  }

  @Test
  void failingSubscriberIsCountedAndDoesNotStopTheOthers() {
    String type = uniqueType("Failing");
    Promise<Message> healthy = Promise.promise();
    // Both subscribers on one context: once the healthy one ran, a task queued on that context
    // runs after the failing one too, so the count can be read without polling.
    Context context = vertxB().getOrCreateContext();
    Registration[] regs = new Registration[2];
    result(onContext(context, () -> {
      regs[0] = b.subscribe(type, m -> {
        throw new IllegalStateException("subscriber broke");
      });
      regs[1] = b.subscribe(type, healthy::tryComplete);
      return Future.all(regs[0].ready(), regs[1].ready());
    }));

    result(a.publish(Message.event(type, new JsonObject().put("n", 1))));

    assertEquals(1, result(healthy.future()).json().getInteger("n"));
    assertEquals(1L, result(onContext(context, () -> Future.succeededFuture(b.stats().subscriberFailures(type)))));
  }

  /** Runs {@code action} on {@code context} and returns what its future completes with. */
  static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future();
  }

  @Test
  void publishWithNoSubscribersSucceeds() {
    result(a.publish(Message.event(uniqueType("Nobody"), new JsonObject())));
  }

  @Test
  void unsubscribeStopsDelivery() {
    String type = uniqueType("Unsub");
    Queue<Integer> first = new ConcurrentLinkedQueue<>();
    Promise<Void> secondGotTwo = Promise.promise();
    Registration gone = b.subscribe(type, m -> first.add(m.json().getInteger("n")));
    Registration stays = b.subscribe(type, m -> {
      if (m.json().getInteger("n") == 2) {
        secondGotTwo.complete();
      }
    });
    result(Future.all(gone.ready(), stays.ready()));
    result(a.publish(Message.event(type, new JsonObject().put("n", 1))));
    result(gone.unregister());

    result(a.publish(Message.event(type, new JsonObject().put("n", 2))));
    result(secondGotTwo.future());

    assertFalse(first.contains(2), "an unregistered subscriber received an event");
    assertEquals(1, b.subscribers(type).size());
  }

  // ------------------------------------------------------------------ send

  @Test
  void sendIsHandledByTheHandlerOnB() {
    Promise<PlaceOrder> handled = Promise.promise();
    ready(b.registerHandler(PlaceOrder.class, order -> {
      handled.complete(order);
      return Future.succeededFuture();
    }));

    result(a.send(new PlaceOrder("ACME", 3)));

    assertEquals(new PlaceOrder("ACME", 3), result(handled.future()));
  }

  @Test
  void sendDoesNotWaitForTheHandlerToFinish() {
    Promise<Void> release = Promise.promise();
    Promise<Void> finished = Promise.promise();
    String type = uniqueType("Slow");
    ready(b.registerHandler(type, m -> release.future().onComplete(v -> finished.complete())));

    result(a.send(Message.command(type, new JsonObject())));

    assertFalse(finished.future().isComplete(), "send waited for the handler");
    release.complete();
    result(finished.future());
  }

  @Test
  void sendWithoutHandlerFailsWithNoHandler() {
    CommBusException error = failure(a.send(Message.command(uniqueType("Nobody"), new JsonObject())));
    assertEquals(ErrorCode.NO_HANDLER, error.code());
  }

  @Test
  void failingCommandHandlerIsCountedAndTheSendStillSucceeds() {
    String type = uniqueType("BadCommand");
    Promise<Void> called = Promise.promise();
    Context context = vertxB().getOrCreateContext();
    Registration registration = result(onContext(context, () -> b.registerHandler(type, m -> {
      called.complete();
      throw new IllegalArgumentException("bad order");
    })));
    result(registration.ready());

    result(a.send(Message.command(type, new JsonObject())));
    result(called.future());

    assertEquals(1L, result(onContext(context, () -> Future.succeededFuture(b.stats().handlerFailures(type)))));
  }

  // ------------------------------------------------------------------ query

  @Test
  void typedQueryGetsTypedReply() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price(q.symbol(), 42.0))));

    Price price = result(a.query(new GetPrice("ACME")));

    assertEquals(new Price("ACME", 42.0), price);
  }

  @Test
  void plainValueRepliesTravelWrapped() {
    ready(b.registerHandler(Shout.class, q -> Future.succeededFuture(q.text().toUpperCase())));

    assertEquals("HELLO", result(a.query(new Shout("hello"))));
  }

  @Test
  void untypedQueryAndBinaryBodies() {
    String type = uniqueType("Bytes");
    ready(b.registerHandler(type, m -> {
      Buffer in = m.buffer();
      Buffer out = Buffer.buffer(in.length());
      for (int i = in.length() - 1; i >= 0; i--) {
        out.appendByte(in.getByte(i));
      }
      return Future.succeededFuture(Message.of(Category.QUERY, type, out).withMetadata("reversed", "yes"));
    }));

    Message reply = result(a.query(Message.of(Category.QUERY, type, Buffer.buffer(new byte[] {1, 2, 3}))));

    assertEquals(Buffer.buffer(new byte[] {3, 2, 1}), reply.buffer());
    assertEquals("yes", reply.metadata().get("reversed"));
  }

  @Test
  void aBodyThatDoesNotFitTheHandlersTypeFailsWithCodec() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price(q.symbol(), 1))));

    CommBusException error = failure(a.query(Message.query("GetPrice",
        new JsonObject().put("symbol", new JsonObject().put("not", "a string")))));

    assertEquals(ErrorCode.CODEC, error.code());
  }

  @Test
  void fieldsTheReceiverDoesNotKnowAreIgnored() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price(q.symbol(), 1))));

    Message reply = result(a.query(Message.query("GetPrice",
        new JsonObject().put("symbol", "ACME").put("addedInVersion2", true))));

    assertEquals("ACME", reply.json().getString("symbol"));
  }

  @Test
  void queryWithoutHandlerFailsWithNoHandler() {
    CommBusException error = failure(a.query(new Unanswered("nobody registered")));
    assertEquals(ErrorCode.NO_HANDLER, error.code());
  }

  @Test
  void queryTimesOutWhenTheHandlerNeverAnswers() {
    String type = uniqueType("Silent");
    ready(b.registerHandler(type, m -> Promise.promise().future()));

    long start = System.nanoTime();
    CommBusException error = failure(a.query(Message.query(type, new JsonObject()), Duration.ofMillis(300)));

    assertEquals(ErrorCode.TIMEOUT, error.code());
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(250).toNanos(), "timed out early");
  }

  @Test
  void handlerFailureArrivesWithItsTypeAndMessage() {
    ready(b.registerHandler(GetPrice.class, q -> {
      throw new IllegalStateException("no price for " + q.symbol());
    }));

    CommBusException error = failure(a.query(new GetPrice("ZZZ")));

    assertEquals(ErrorCode.HANDLER_FAILED, error.code());
    assertEquals("no price for ZZZ", error.getMessage());
    assertEquals(IllegalStateException.class.getName(), error.remoteType());
    assertEquals(1, b.stats().handlerFailures("GetPrice"));
  }

  @Test
  void handlerFailingWithABusErrorKeepsItsCode() {
    ready(b.registerHandler(GetPrice.class,
        q -> Future.failedFuture(new OverloadedException("too busy for " + q.symbol()))));

    CommBusException error = failure(a.query(new GetPrice("ACME")));

    assertInstanceOf(OverloadedException.class, error);
    assertEquals("too busy for ACME", error.getMessage());
  }

  @Test
  void everyMessageCarriesIdTypeCategoryTraceparentDeadlineAndMetadata() {
    String type = uniqueType("Envelope");
    Promise<Message> seen = Promise.promise();
    ready(b.registerHandler(type, m -> {
      seen.complete(m);
      return Future.succeededFuture(new JsonObject());
    }));

    long before = System.currentTimeMillis();
    result(a.query(Message.query(type, new JsonObject()).withMetadata("tenant", "blue"), Duration.ofSeconds(5)));
    Message m = result(seen.future());

    assertNotNull(m.id());
    assertEquals(type, m.type());
    assertEquals(Category.QUERY, m.category());
    assertTrue(TRACEPARENT.matcher(m.traceparent()).matches(), m.traceparent());
    assertEquals("blue", m.metadata().get("tenant"));
    assertTrue(m.deadline().toEpochMilli() >= before + 5000 && m.deadline().toEpochMilli() <= before + 6000,
        "deadline " + m.deadline());
    assertNotNull(m.timestamp());
  }

  @Test
  void aTraceIdSurvivesANestedHop() {
    String outer = uniqueType("Outer");
    String inner = uniqueType("Inner");
    Promise<String> innerTrace = Promise.promise();
    Promise<String> outerTrace = Promise.promise();
    ready(a.registerHandler(inner, m -> {
      innerTrace.complete(m.traceparent());
      return Future.succeededFuture(new JsonObject());
    }));
    ready(b.registerHandler(outer, m -> {
      outerTrace.complete(m.traceparent());
      return b.query(Message.query(inner, new JsonObject()));
    }));

    result(a.query(Message.query(outer, new JsonObject())));

    String traceId = result(outerTrace.future()).substring(3, 35);
    assertEquals(traceId, result(innerTrace.future()).substring(3, 35));
  }

  @Test
  void secondHandlerOnTheSameBusIsRefused() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("A", 1))));

    CommBusException error = failure(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("B", 2))));

    assertEquals(ErrorCode.DUPLICATE_HANDLER, error.code());
    assertEquals(new Price("A", 1), result(a.query(new GetPrice("x"))));
  }

  @Test
  void handlerCanBeRegisteredAgainAfterUnregistering() {
    Registration first = result(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("A", 1))));
    result(first.ready());
    result(first.unregister());
    assertFalse(b.hasHandler("GetPrice"));

    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("B", 2))));

    assertEquals(new Price("B", 2), result(a.query(new GetPrice("x"))));
  }

  @Test
  void handlersOfOneTypeOnTwoBusesShareTheWork() {
    String type = uniqueType("Shared");
    ready(a.registerHandler(type, m -> Future.succeededFuture(new JsonObject().put("by", "A"))));
    ready(b.registerHandler(type, m -> Future.succeededFuture(new JsonObject().put("by", "B"))));

    Map<String, AtomicInteger> byBus = new ConcurrentHashMap<>();
    for (int i = 0; i < 20; i++) {
      String by = result(a.query(Message.query(type, new JsonObject()))).json().getString("by");
      byBus.computeIfAbsent(by, k -> new AtomicInteger()).incrementAndGet();
    }

    assertEquals(2, byBus.size(), "one bus got all the work: " + byBus);
    assertTrue(byBus.get("A").get() >= 5 && byBus.get("B").get() >= 5, "uneven: " + byBus);
  }

  // ------------------------------------------------------------------ streams

  @Test
  void streamDeliversEveryItemInOrder() {
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> writeTicks(sink, 0, q.count())));

    QueryStream<Tick> stream = result(a.queryStream(new Ticks("ACME", 100)));
    List<Tick> ticks = result(stream.collect(Collectors.toList()));

    assertEquals(100, ticks.size());
    for (int i = 0; i < 100; i++) {
      assertEquals(i, ticks.get(i).seq());
    }
  }

  /** Writes ticks one after another, each after the previous one left (honours credit). */
  static void writeTicks(StreamSink<Tick> sink, int from, int to) {
    if (from == to) {
      sink.end();
      return;
    }
    sink.write(new Tick(from, 100 + from)).onSuccess(v -> writeTicks(sink, from + 1, to));
  }

  @Test
  void aSingleReplyIsAStreamOfOne() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price(q.symbol(), 7))));

    CommBus streamCaller = a;
    QueryStream<Price> stream = result(streamCaller.queryStream(new GetPrice("ACME")));

    assertEquals(List.of(new Price("ACME", 7)), result(stream.collect(Collectors.toList())));
  }

  @Test
  void queryingAStreamHandlerForOneReplyIsAProtocolError() {
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> sink.end()));

    assertEquals(ErrorCode.PROTOCOL, failure(a.query(new Ticks("ACME", 1))).code());
  }

  @Test
  void streamHonoursBackPressure() {
    AtomicInteger sent = new AtomicInteger();
    int total = 60;
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> {
      // Writes everything at once: only credit decides what leaves.
      for (int i = 0; i < q.count(); i++) {
        sink.write(new Tick(i, i)).onSuccess(v -> sent.incrementAndGet());
      }
      sink.end();
    }));

    QueryStream<Tick> stream = result(a.queryStream(new Ticks("ACME", total)));
    AtomicInteger delivered = new AtomicInteger();
    AtomicInteger maxAhead = new AtomicInteger();
    List<String> violations = Collections.synchronizedList(new ArrayList<>());
    Promise<Void> ended = Promise.promise();
    stream.pause();
    stream.handler(tick -> {
      int got = delivered.incrementAndGet();
      int ahead = sent.get() - got;
      maxAhead.accumulateAndGet(ahead, Math::max);
      if (ahead > WINDOW) {
        violations.add("producer sent " + sent.get() + " while consumer had " + got);
      }
      // A slow consumer: ask for the next item a little later.
      vertxA().setTimer(2, t -> stream.fetch(1));
    });
    stream.endHandler(ended::complete);
    stream.exceptionHandler(ended::fail);
    stream.fetch(1);

    result(ended.future());
    assertEquals(total, delivered.get());
    assertEquals(List.of(), violations);
    assertTrue(maxAhead.get() >= WINDOW - 1, "the producer never ran ahead; max ahead " + maxAhead.get());
  }

  @Test
  void consumerCancellationStopsTheProducer() {
    Promise<Void> producerSawCancel = Promise.promise();
    Promise<Throwable> failedWrite = Promise.promise();
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> {
      sink.cancelHandler(v -> producerSawCancel.complete());
      writeForever(sink, 0, failedWrite);
    }));

    QueryStream<Tick> stream = result(a.queryStream(new Ticks("ACME", -1)));
    Promise<Void> fiveSeen = Promise.promise();
    AtomicInteger seen = new AtomicInteger();
    stream.endHandler(v -> fiveSeen.tryFail("stream ended instead of being cancelled"));
    stream.handler(t -> {
      if (seen.incrementAndGet() == 5) {
        stream.cancel().onComplete(ar -> fiveSeen.complete());
      }
    });

    result(fiveSeen.future());
    result(producerSawCancel.future());
    assertInstanceOf(CancelledException.class, result(failedWrite.future()));
  }

  static void writeForever(StreamSink<Tick> sink, int i, Promise<Throwable> failedWrite) {
    sink.write(new Tick(i, i)).onComplete(ar -> {
      if (ar.failed()) {
        failedWrite.tryComplete(ar.cause());
      } else {
        writeForever(sink, i + 1, failedWrite);
      }
    });
  }

  @Test
  void anErrorEndsTheStreamWithItsCode() {
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> {
      sink.write(new Tick(0, 1));
      sink.write(new Tick(1, 2));
      sink.fail(new IllegalStateException("feed lost"));
    }));

    QueryStream<Tick> stream = result(a.queryStream(new Ticks("ACME", 2)));
    List<Tick> items = Collections.synchronizedList(new ArrayList<>());
    Promise<Throwable> error = Promise.promise();
    stream.exceptionHandler(error::complete);
    stream.endHandler(v -> error.fail("stream ended without its error"));
    stream.handler(items::add);

    CommBusException failure = assertInstanceOf(CommBusException.class, result(error.future()));
    assertEquals(ErrorCode.HANDLER_FAILED, failure.code());
    assertEquals("feed lost", failure.getMessage());
    assertEquals(IllegalStateException.class.getName(), failure.remoteType());
    assertEquals(2, items.size(), "items written before the error arrive first");
  }

  @Test
  void aStreamThatFallsSilentTimesOut() {
    CommBus impatient = CommBus.create(vertxA(), new CommBusOptions().setStreamIdleTimeout(Duration.ofMillis(300)));
    ready(b.registerStreamHandler(Ticks.class, (q, sink) -> sink.write(new Tick(0, 0))));

    QueryStream<Tick> stream = result(impatient.queryStream(new Ticks("ACME", 5)));
    Promise<Throwable> error = Promise.promise();
    stream.exceptionHandler(error::complete);
    stream.endHandler(v -> error.fail("ended"));
    stream.handler(t -> {
    });

    assertEquals(ErrorCode.TIMEOUT, assertInstanceOf(CommBusException.class, result(error.future())).code());
  }

  @Test
  void untypedStreamsCarryJsonItems() {
    String type = uniqueType("Lines");
    ready(b.registerStreamHandler(type, (m, sink) -> {
      int n = m.json().getInteger("n");
      for (int i = 0; i < n; i++) {
        sink.write(new JsonObject().put("line", i));
      }
      sink.end();
    }));

    QueryStream<Message> stream = result(a.queryStream(Message.query(type, new JsonObject().put("n", 3))));
    List<Integer> lines = result(stream.collect(Collectors.mapping(m -> m.json().getInteger("line"),
        Collectors.toList())));

    assertEquals(List.of(0, 1, 2), lines);
  }

  // ------------------------------------------------------------------ middleware, introspection, typing

  @Test
  void middlewareMetadataTravelsToTheHandler() {
    Promise<String> tag = Promise.promise();
    a.addMiddleware(new io.commbus.bus.middleware.Middleware() {
      @Override
      public Future<Object> before(io.commbus.bus.middleware.MiddlewareContext ctx, Object message) {
        ctx.metadata().put("x-caller", "node-a");
        return Future.succeededFuture(message);
      }
    });
    String type = uniqueType("Tagged");
    ready(b.registerHandler(type, m -> {
      tag.complete(m.metadata().get("x-caller"));
      return Future.succeededFuture(new JsonObject());
    }));

    result(a.query(Message.query(type, new JsonObject())));

    assertEquals("node-a", result(tag.future()));
  }

  @Test
  void introspectionReportsWhatThisBusRegistered() {
    String event = uniqueType("Seen");
    Registration sub = b.subscribe(event, m -> {
    });
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("A", 1))));

    assertTrue(b.hasHandler("GetPrice"));
    assertFalse(a.hasHandler("GetPrice"));
    assertEquals(1, b.subscribers(event).size());
    assertEquals("subscriber", b.subscribers(event).get(0).kind());
    assertEquals(java.util.Set.of(event, "GetPrice"), b.registeredTypes());

    result(sub.unregister());
    assertEquals(java.util.Set.of("GetPrice"), b.registeredTypes());
  }

  @Test
  void wrongVerbForATypedMessageIsInvalid() {
    assertEquals(ErrorCode.INVALID_MESSAGE, failure(a.publish(new PlaceOrder("ACME", 1))).code());
    assertEquals(ErrorCode.INVALID_MESSAGE, failure(a.send(new PriceQuoted("ACME", 1))).code());
    assertEquals(ErrorCode.INVALID_MESSAGE, failure(a.send(Message.event("X", new JsonObject()))).code());
  }

  @Test
  void reservedMetadataKeysAreRefused() {
    ready(b.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("A", 1))));
    CommBusException error = failure(a.query(Message.query("GetPrice", new JsonObject())
        .withMetadata("cb-id", "forged")));
    assertEquals(ErrorCode.INVALID_MESSAGE, error.code());
  }

  @Test
  void typeNamesComeFromTheAnnotationOrTheSimpleName() {
    assertEquals("test.PriceQuoted", a.typeName(PriceQuoted.class));
    assertEquals("GetPrice", a.typeName(GetPrice.class));
    assertEquals(0L, result(a.publish(new PriceQuoted("ACME", 1))), "no journal, no position");
  }
}
