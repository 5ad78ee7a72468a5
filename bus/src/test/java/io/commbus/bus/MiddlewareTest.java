package io.commbus.bus;

import io.commbus.bus.TestMessages.GetPrice;
import io.commbus.bus.TestMessages.Price;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.OverloadedException;
import io.commbus.bus.error.RejectedException;
import io.commbus.bus.middleware.LoggingMiddleware;
import io.commbus.bus.middleware.MetricsMiddleware;
import io.commbus.bus.middleware.Middleware;
import io.commbus.bus.middleware.MiddlewareContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.commbus.bus.Await.failure;
import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MiddlewareTest {

  private Vertx vertx;
  private CommBus bus;
  private final List<String> trail = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger handled = new AtomicInteger();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    bus = CommBus.create(vertx);
    result(bus.registerHandler(GetPrice.class, q -> {
      handled.incrementAndGet();
      return Future.succeededFuture(new Price(q.symbol(), 10));
    }));
  }

  @AfterEach
  void stop() {
    result(vertx.close());
  }

  /** Records its before and after calls in the trail. */
  private Middleware recorder(String name) {
    return new Middleware() {
      @Override
      public Future<Object> before(MiddlewareContext ctx, Object message) {
        trail.add(name + ".before " + ctx.category().wireName() + " " + ctx.type());
        return Future.succeededFuture(message);
      }

      @Override
      public Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
        trail.add(name + ".after " + (error == null ? "ok" : "error"));
        return Middleware.super.after(ctx, message, result, error);
      }
    };
  }

  @Test
  void beforeRunsInOrderAndAfterInReverse() {
    bus.addMiddleware(recorder("outer")).addMiddleware(recorder("inner"));

    result(bus.query(new GetPrice("ACME")));

    assertEquals(List.of("outer.before query GetPrice", "inner.before query GetPrice", "inner.after ok",
        "outer.after ok"), trail);
  }

  @Test
  void beforeMayReplaceTheMessage() {
    bus.addMiddleware(new Middleware() {
      @Override
      public Future<Object> before(MiddlewareContext ctx, Object message) {
        return Future.succeededFuture(new GetPrice(((GetPrice) message).symbol().toUpperCase()));
      }
    });

    assertEquals(new Price("ACME", 10), result(bus.query(new GetPrice("acme"))));
  }

  @Test
  void returningNullAbortsWithRejectedAndTheHandlerIsNotCalled() {
    bus.addMiddleware(new Middleware() {
      @Override
      public Future<Object> before(MiddlewareContext ctx, Object message) {
        return null;
      }
    });

    CommBusException error = failure(bus.query(new GetPrice("ACME")));

    assertInstanceOf(RejectedException.class, error);
    assertEquals(0, handled.get());
  }

  @Test
  void aFailedBeforeBecomesRejectedUnlessItCarriesACode() {
    bus.addMiddleware(new Middleware() {
      @Override
      public Future<Object> before(MiddlewareContext ctx, Object message) {
        if (ctx.type().equals("GetPrice")) {
          throw new IllegalStateException("closed for the day");
        }
        return Future.failedFuture(new OverloadedException("rate limited"));
      }
    });

    CommBusException rejected = failure(bus.query(new GetPrice("ACME")));
    assertEquals(ErrorCode.REJECTED, rejected.code());
    assertTrue(rejected.getMessage().contains("closed for the day"), rejected.getMessage());

    assertEquals(ErrorCode.OVERLOADED, failure(bus.publish(Message.event("Any", new JsonObject()))).code());
  }

  @Test
  void afterMayReplaceTheResultOrRecoverFromAnError() {
    bus.addMiddleware(new Middleware() {
      @Override
      public Future<Object> after(MiddlewareContext ctx, Object message, Object result, Throwable error) {
        if (error != null) {
          return Future.succeededFuture("fallback for " + ctx.type());
        }
        Price price = (Price) result;
        return Future.succeededFuture(new Price(price.symbol(), price.price() * 2));
      }
    });

    assertEquals(new Price("ACME", 20), result(bus.query(new GetPrice("ACME"))));
    assertEquals("fallback for Unanswered", result(bus.query(new TestMessages.Unanswered("x"))));
  }

  @Test
  void theContextCarriesIdTimestampAndMutableMetadata() {
    List<MiddlewareContext> seen = new ArrayList<>();
    bus.addMiddleware(new Middleware() {
      @Override
      public Future<Object> before(MiddlewareContext ctx, Object message) {
        seen.add(ctx);
        ctx.metadata().put("x-seen", "yes");
        return Future.succeededFuture(message);
      }
    });

    result(bus.query(new GetPrice("ACME")));

    MiddlewareContext ctx = seen.get(0);
    assertEquals(36, ctx.id().length());
    assertEquals(Category.QUERY, ctx.category());
    assertEquals(new GetPrice("ACME"), ctx.message());
    assertEquals("yes", ctx.metadata().get("x-seen"));
    assertTrue(ctx.timestamp() != null);
  }

  @Test
  void loggingMiddlewareWritesALineOutAndALineBack() {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    bus.addMiddleware(new LoggingMiddleware(lines::add));

    result(bus.query(new GetPrice("ACME")));
    failure(bus.send(Message.command("Nobody", new JsonObject())));

    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("-> query GetPrice #"), lines.get(0));
    assertTrue(lines.get(1).startsWith("<- query GetPrice #") && lines.get(1).contains(" ok in "), lines.get(1));
    assertTrue(lines.get(3).contains("failed in") && lines.get(3).contains("NO_HANDLER"), lines.get(3));
  }

  @Test
  void metricsMiddlewareCountsCallsAndFailuresByCode() {
    MetricsMiddleware metrics = new MetricsMiddleware();
    bus.addMiddleware(metrics);

    result(bus.query(new GetPrice("ACME")));
    result(bus.query(new GetPrice("ACME")));
    failure(bus.send(Message.command("Nobody", new JsonObject())));

    assertEquals(2, metrics.calls("query GetPrice"));
    assertEquals(1, metrics.calls("command Nobody"));
    assertEquals(1, metrics.failures("command Nobody", "NO_HANDLER"));
    JsonObject snapshot = metrics.snapshot();
    assertEquals(2, snapshot.getJsonObject("query GetPrice").getLong("calls"));
    assertEquals(1, snapshot.getJsonObject("command Nobody").getJsonObject("failures").getLong("NO_HANDLER"));
  }
}
