package io.commbus.node.admin;

import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.coordinator.ServiceDescriptor;
import io.commbus.node.Node;
import io.commbus.node.NodeFront;
import io.commbus.node.config.AdminOptions;
import io.commbus.process.ProcessVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node's admin HTTP API: {@code /health}, {@code /metrics}, {@code /services},
 * {@code /processes}, {@code /journal}, and {@code POST /publish}, {@code /send}, {@code /query}
 * for the command line. A verticle, so it has an event loop of its own and its server closes
 * when it is undeployed. Every route answers JSON except {@code /metrics}, which answers the
 * Prometheus text format.
 *
 * <p>It listens on {@code admin.host} (127.0.0.1 unless configured). The host is resolved once,
 * on a worker thread, and the address checked is the one bound, so a name cannot resolve to
 * loopback for the check and to another interface for the bind. Beyond loopback it refuses to
 * start without a token; with one, {@link BearerAuth} guards every route.
 */
public final class AdminServer extends VerticleBase implements NodeFront {

  /** Request bodies above this are refused (413); a bus message is JSON, not a file upload. */
  static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

  /** Each path and the one method it answers. */
  private static final Map<String, String> ENDPOINTS = endpoints();

  private final Node node;
  private final AdminOptions options;
  private final int requestedPort;
  private volatile int port;
  private volatile InetAddress address;

  private static Map<String, String> endpoints() {
    Map<String, String> endpoints = new LinkedHashMap<>();
    for (String path : List.of("/health", "/metrics", "/services", "/processes", "/journal", "/subscribe", "/stubs")) {
      endpoints.put(path, "GET");
    }
    for (String path : List.of("/publish", "/send", "/query", "/queryStream")) {
      endpoints.put(path, "POST");
    }
    endpoints.put("/sessions", "GET, POST");
    endpoints.put("/sessions/{id}", "GET, DELETE");
    return Collections.unmodifiableMap(endpoints);
  }

  /** The admin API of {@code node}, on the port its configuration names. */
  public AdminServer(Node node) {
    this.node = node;
    this.options = node.config().getAdmin();
    this.requestedPort = options.getPort();
  }

  @Override
  public Future<?> start() {
    HealthCheck health = new HealthCheck(node);
    NodeMetrics metrics = new NodeMetrics(node);
    JournalBrowser journal = new JournalBrowser(node.journal());
    BusEndpoints calls = new BusEndpoints(node.bus());
    BusStreams streams = new BusStreams(node.bus(), options.getIdleTimeout());

    ConnectionLimits limits = new ConnectionLimits(vertx, node.config().getAdmin());
    Router router = Router.router(vertx);
    router.route().handler(limits::request);
    // Before every route and before any body is read: a stranger's request costs no more than its headers.
    options.getToken().ifPresent(token -> router.route().handler(new BearerAuth(token, options.isOpenHealth())));
    router.get("/health").handler(ctx -> here(health.check()).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        json(ctx, ar.result().getBoolean("ready") ? 200 : 503, ar.result());
      }
    }));
    router.get("/metrics").handler(ctx -> here(metrics.render()).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        ctx.response().putHeader("content-type", PrometheusText.CONTENT_TYPE).end(ar.result());
      }
    }));
    router.get("/services").handler(this::services);
    router.get("/processes").handler(ctx -> reply(ctx, here(processes())));
    router.get("/journal").handler(ctx -> {
      Future<JsonObject> page;
      try {
        page = journal.page(ctx.queryParams());
      } catch (JournalBrowser.BadQuery e) {
        json(ctx, 400, ErrorReplies.invalid(e.getMessage()));
        return;
      }
      reply(ctx, here(page));
    });
    // No file uploads: BodyHandler would otherwise create an upload directory in the working directory.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    post(router, body, "/publish", b -> here(calls.publish(b)));
    post(router, body, "/send", b -> here(calls.send(b)));
    post(router, body, "/query", b -> here(calls.query(b)));
    router.post("/queryStream").handler(body).handler(ctx -> streams.queryStream(ctx,
        here(IncomingTrace.around(ctx.request(), () -> calls.queryStream(ctx.body().buffer())))));
    router.get("/subscribe").handler(streams::subscribe);
    // Introspecting the classes is reflection: a worker's job, not the event loop's.
    node.sessions().ifPresent(running -> {
      SessionEndpoints sessions = new SessionEndpoints(node.bus(), running);
      router.get("/sessions").handler(ctx -> reply(ctx, here(sessions.list())));
      router.post("/sessions").handler(body).handler(ctx -> here(sessions.create(ctx.body().buffer()))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              json(ctx, 201, ar.result());
            } else {
              fail(ctx, ar.cause());
            }
          }));
      router.get("/sessions/:id").handler(ctx -> reply(ctx, here(sessions.status(ctx.pathParam("id")))));
      router.delete("/sessions/:id").handler(ctx -> reply(ctx, here(sessions.terminate(ctx.pathParam("id")))));
    });
    router.get("/stubs").handler(ctx -> reply(ctx, here(vertx.executeBlocking(() -> stubs(
        "true".equals(ctx.queryParams().get("dataclasses")))))));
    router.route().last().handler(AdminServer::noSuchEndpoint);
    router.errorHandler(413, ctx -> json(ctx, 413, ErrorReplies.invalid("the request body is larger than "
        + MAX_BODY_BYTES + " bytes")));
    router.errorHandler(400, ErrorReplies::unreadable);
    router.errorHandler(500, ErrorReplies::internal);

    return vertx.executeBlocking(this::resolveHost, false).compose(bound -> {
      String where = text(bound) + ":" + requestedPort;
      // HTTP/1.1 only: one request at a time per connection, which ConnectionLimits relies on.
      HttpServerOptions http = new HttpServerOptions().setHost(bound.getHostAddress()).setPort(requestedPort)
          .setHttp2ClearTextEnabled(false);
      return vertx.createHttpServer(http)
          .connectionHandler(limits::connected)
          .requestHandler(router)
          .invalidRequestHandler(ErrorReplies::invalidRequest)
          .listen()
          .recover(e -> Future.failedFuture(e instanceof BindException || String.valueOf(e.getMessage())
              .contains("Address already in use")
              ? new IllegalStateException("the admin port " + where + " is in use; set admin.port"
              + " in the configuration or pass --admin-port", e)
              : new IllegalStateException("cannot listen on " + where + " (admin.host): " + e.getMessage(), e)))
          .map(server -> {
            address = bound;
            port = server.actualPort();
            return server;
          });
    });
  }

  /**
   * The address to bind: the host itself when it is an IP literal, else every address its name
   * resolves to is checked and the first is taken. Blocks on the resolver: a worker's job.
   */
  private InetAddress resolveHost() {
    Optional<InetAddress> literal = options.literalHost();
    List<InetAddress> addresses;
    if (literal.isPresent()) {
      addresses = List.of(literal.get());
    } else {
      try {
        addresses = List.of(InetAddress.getAllByName(options.getHost()));
      } catch (UnknownHostException e) {
        throw new IllegalStateException("cannot resolve admin.host \"" + options.getHost() + "\": " + e.getMessage(), e);
      }
    }
    options.requireTokenBeyondLoopback(addresses);
    return addresses.get(0);
  }

  /** An address as a URL writes it: IPv6 in brackets. */
  private static String text(InetAddress address) {
    return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
  }

  /**
   * The same outcome, completing on this server's event loop: pool figures and bus replies
   * complete on other threads, and a response is best written from its connection's own.
   */
  private <T> Future<T> here(Future<T> future) {
    Promise<T> promise = VertxInternals.promiseOn(context);
    future.onComplete(promise);
    return promise.future();
  }

  /** 405 for a known path asked with the wrong method, 404 for anything else; both list the endpoints. */
  private static void noSuchEndpoint(RoutingContext ctx) {
    String path = ctx.request().path();
    String method = ENDPOINTS.get(path);
    String known = "; see " + String.join(", ", ENDPOINTS.keySet().stream().map(p -> ENDPOINTS.get(p) + " " + p)
        .toList());
    if (method != null) {
      ctx.response().putHeader("allow", method);
      json(ctx, 405, error("METHOD_NOT_ALLOWED", path + " takes " + method + ", not " + ctx.request().method() + known));
    } else {
      json(ctx, 404, error("NOT_FOUND", "no such endpoint: " + ctx.request().method() + " " + path + known));
    }
  }

  @Override
  public int port() {
    return port;
  }

  /** {@code http://ADDRESS:PORT}, the address bound ({@code http://0.0.0.0:8080} for every interface). */
  @Override
  public String url() {
    return "http://" + text(address) + ":" + port;
  }

  /** A bus call's endpoint; the call continues the trace of the request's {@code traceparent}. */
  private static void post(Router router, BodyHandler body, String path, Function<Buffer, Future<JsonObject>> call) {
    router.post(path).handler(body).handler(ctx -> IncomingTrace.around(ctx.request(),
        () -> call.apply(ctx.body().buffer())).onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    }));
  }

  /** {@code {"origin", "files": {path: text}}}: the node's typed Python stubs, as {@code commbus stubs --node} writes them. */
  private JsonObject stubs(boolean dataclasses) {
    String origin = "the node at " + url();
    return new JsonObject().put("origin", origin)
        .put("files", new JsonObject(new LinkedHashMap<>(node.stubs(origin, dataclasses).files())));
  }

  private void services(RoutingContext ctx) {
    if (node.coordinator().isEmpty()) {
      json(ctx, 404, error(ErrorCode.NO_HANDLER.name(), "this node runs no coordinator (coordinator.enabled is false)"));
      return;
    }
    JsonArray services = new JsonArray();
    for (ServiceDescriptor service : node.coordinator().get().listServices(null, false)) {
      services.add(service.toJson());
    }
    json(ctx, 200, new JsonObject().put("services", services));
  }

  /**
   * {@code {"pools": [{"name", "type", "health", "restarts", "givenUp", "nextRetryAt"?,
   * "children": [{"id", "state", "pid", "supervision", "restarts", "lastExit"?, ...}]}]}}.
   */
  private Future<JsonObject> processes() {
    List<ProcessVerticle> pools = node.pools();
    List<Future<JsonArray>> children = new ArrayList<>();
    List<Future<JsonObject>> stats = new ArrayList<>();
    for (ProcessVerticle pool : pools) {
      children.add(pool.children());
      stats.add(pool.stats());
    }
    return Future.all(Future.all(children), Future.all(stats)).map(all -> {
      JsonArray list = new JsonArray();
      for (int i = 0; i < pools.size(); i++) {
        JsonObject figures = stats.get(i).result();
        JsonObject pool = new JsonObject().put("name", pools.get(i).name()).put("type", figures.getString("type"))
            .put("health", figures.getString("health")).put("restarts", figures.getLong("restarts"))
            .put("givenUp", figures.getInteger("givenUp"));
        if (figures.containsKey("nextRetryAt")) {
          pool.put("nextRetryAt", figures.getString("nextRetryAt"));
        }
        list.add(pool.put("children", children.get(i).result()));
      }
      return new JsonObject().put("pools", list);
    });
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, 200, ar.result());
      } else {
        fail(ctx, ar.cause());
      }
    });
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    ErrorReplies.fail(ctx, cause);
  }

  private static JsonObject error(String code, String message) {
    return ErrorReplies.error(code, message);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ErrorReplies.json(ctx.response(), status, body);
  }
}
