package io.commbus.adapter.http;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournaledBusFixture;
import io.commbus.coordinator.CommBusCoordinatorVerticle;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.DispatchTarget;
import io.commbus.coordinator.DispatcherOptions;
import io.commbus.coordinator.ServiceDescriptor;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's HTTP fallback against a real HTTP server on loopback. */
class HttpServiceAdapterTest extends JournaledBusFixture {

  private final List<HttpServerRequest> received = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private HttpServiceAdapter adapter;
  private CommBusCoordinatorVerticle coordinator;
  private String coordinatorId;

  @BeforeEach
  void start() {
    server = await(vertx.createHttpServer().requestHandler(this::answer).listen(0, "127.0.0.1"));
    adapter = new HttpServiceAdapter(vertx);
    coordinator = new CommBusCoordinatorVerticle(bus, new CoordinatorOptions().setDispatcher(new DispatcherOptions()
        .setBaseBackoff(Duration.ofMillis(1)).setMaxBackoff(Duration.ofMillis(5)).addAdapter(adapter)));
    coordinatorId = await(vertx.deployVerticle(coordinator));
  }

  @AfterEach
  void stop() {
    await(vertx.undeploy(coordinatorId));
    adapter.close();
    await(server.close());
  }

  private void answer(HttpServerRequest request) {
    received.add(request);
    request.body().onSuccess(body -> {
      switch (request.path()) {
        case "/pricing/quote":
          JsonObject order = body.toJsonObject();
          request.response().putHeader("content-type", "application/json")
              .end(new JsonObject().put("symbol", order.getString("symbol")).put("ask", 100.5).encode());
          break;
        case "/pricing/busy":
          request.response().setStatusCode(429).end("slow down");
          break;
        case "/pricing/boom":
          request.response().setStatusCode(500).end("NullPointerException in QuoteService");
          break;
        case "/pricing/closed":
          request.response().setStatusCode(422).putHeader("content-type", "application/json")
              .end(new JsonObject().put("code", "REJECTED").put("message", "market closed").encode());
          break;
        case "/pricing/silent":
          break; // never answers
        default:
          request.response().setStatusCode(404).end();
      }
    });
  }

  private void service(String name, String url) {
    assertTrue(await(coordinator.registerService(ServiceDescriptor.of(name, "http")
        .withMetadata(Map.of(HttpServiceAdapter.URL, url)))));
  }

  private String pricingUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/pricing";
  }

  private static CommBusException failure(Future<?> future) {
    Throwable cause = future.transform(ar -> Future.succeededFuture(ar.cause())).await();
    return assertInstanceOf(CommBusException.class, cause, () -> "expected a failure, got success");
  }

  @Test
  void dispatchFallsBackToTheAdapterWhenNobodyOnTheBusServesTheService() {
    service("pricing", pricingUrl());

    Message reply = await(coordinator.dispatch(new DispatchTarget("pricing", "quote"),
        Message.query("pricing.Quote", new JsonObject().put("symbol", "AAPL"))));

    assertEquals(new JsonObject().put("symbol", "AAPL").put("ask", 100.5), reply.json());
    HttpServerRequest request = received.get(0);
    assertEquals("commbus.service.pricing", request.getHeader(HttpServiceAdapter.TYPE_HEADER));
    long deadline = Long.parseLong(request.getHeader(HttpServiceAdapter.DEADLINE_HEADER));
    assertTrue(deadline > System.currentTimeMillis(), "the deadline lies ahead");
  }

  @Test
  void aHandlerOnTheBusComesBeforeTheAdapter() {
    service("pricing", pricingUrl());
    await(bus.registerHandler("commbus.service.pricing", (Message m) ->
        Future.succeededFuture(new JsonObject().put("from", "bus"))));

    Message reply = await(coordinator.dispatch(new DispatchTarget("pricing", "quote"),
        Message.query("pricing.Quote", new JsonObject().put("symbol", "AAPL"))));

    assertEquals("bus", reply.json().getString("from"));
    assertEquals(0, received.size(), "the HTTP service was not called");
  }

  @Test
  void httpStatusesBecomeBusCodesAndOnlyRetryableOnesAreRetried() {
    service("pricing", pricingUrl());

    CommBusException busy = failure(coordinator.dispatch(new DispatchTarget("pricing", "busy").maxRetries(2),
        Message.query("q", new JsonObject())));
    assertEquals(ErrorCode.OVERLOADED, busy.code());
    assertEquals(3, received.size(), "429 is retried twice");

    received.clear();
    CommBusException boom = failure(coordinator.dispatch(new DispatchTarget("pricing", "boom").maxRetries(2),
        Message.query("q", new JsonObject())));
    assertEquals(ErrorCode.HANDLER_FAILED, boom.code());
    assertEquals("http 500", boom.remoteType());
    assertTrue(boom.getMessage().contains("NullPointerException in QuoteService"), boom.getMessage());
    assertEquals(1, received.size(), "500 is not retried");

    CommBusException closed = failure(coordinator.dispatch(new DispatchTarget("pricing", "closed"),
        Message.query("q", new JsonObject())));
    assertEquals(ErrorCode.REJECTED, closed.code(), "a commbus error in the body keeps its code");
    assertEquals("market closed", closed.getMessage());

    assertEquals(ErrorCode.NO_HANDLER, failure(coordinator.dispatch(new DispatchTarget("pricing", "nothing"),
        Message.query("q", new JsonObject()))).code());
  }

  @Test
  void anUnreachableOrSilentServiceIsUnavailableOrTimesOut() {
    HttpServer closed = await(vertx.createHttpServer().requestHandler(r -> { }).listen(0, "127.0.0.1"));
    int port = closed.actualPort();
    await(closed.close());
    service("gone", "http://127.0.0.1:" + port + "/pricing");
    service("pricing", pricingUrl());

    CommBusException gone = failure(coordinator.dispatch(new DispatchTarget("gone", "quote"),
        Message.query("q", new JsonObject())));
    assertEquals(ErrorCode.UNAVAILABLE, gone.code());
    assertNotNull(gone.getMessage());

    CommBusException silent = failure(coordinator.dispatch(new DispatchTarget("pricing", "silent")
        .timeout(Duration.ofMillis(300)), Message.query("q", new JsonObject())));
    assertEquals(ErrorCode.TIMEOUT, silent.code());
  }
}
