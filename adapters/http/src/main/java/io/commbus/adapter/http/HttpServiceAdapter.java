package io.commbus.adapter.http;

import io.commbus.bus.Category;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.coordinator.ServiceAdapter;
import io.commbus.coordinator.ServiceDescriptor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Dispatches to services behind HTTP: a service whose metadata has {@code http.url} is called
 * with {@code POST <url>/<method>}, the request body as JSON (or bytes), and the trace context
 * and deadline as headers. HTTP statuses become the bus's error codes, so the coordinator
 * retries and reports them like failures on the bus.
 *
 * <pre>{@code
 * coordinator.registerService(ServiceDescriptor.of("billing", "http")
 *     .withMetadata(Map.of(HttpServiceAdapter.URL, "http://127.0.0.1:8081/billing")));
 * new CoordinatorOptions().setDispatcher(new DispatcherOptions().addAdapter(new HttpServiceAdapter(vertx)));
 * }</pre>
 */
public final class HttpServiceAdapter implements ServiceAdapter {

  /** The metadata key holding a service's base URL. */
  public static final String URL = "http.url";
  /** The request header carrying the caller's deadline, in epoch milliseconds. */
  public static final String DEADLINE_HEADER = "commbus-deadline";
  /** The request header naming the bus message type the call came as. */
  public static final String TYPE_HEADER = "commbus-type";

  private static final int MAX_ERROR_TEXT = 300;

  private final WebClient client;

  public HttpServiceAdapter(Vertx vertx) {
    this(vertx, new WebClientOptions().setUserAgent("commbus-http-adapter"));
  }

  public HttpServiceAdapter(Vertx vertx, WebClientOptions options) {
    this.client = WebClient.create(vertx, options);
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public boolean serves(ServiceDescriptor service) {
    return service.metadata().containsKey(URL);
  }

  @Override
  public Future<Message> invoke(ServiceDescriptor service, String method, Message request, Duration timeout) {
    String base = service.metadata().get(URL);
    String url = (base.endsWith("/") ? base : base + "/") + method;
    HttpRequest<Buffer> call;
    try {
      call = client.postAbs(url).timeout(Math.max(1, timeout.toMillis()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "service " + service.name()
          + " has an unusable " + URL + " \"" + base + "\": " + e.getMessage()));
    }
    call.putHeader(TYPE_HEADER, request.type());
    call.putHeader(DEADLINE_HEADER, Long.toString(System.currentTimeMillis() + timeout.toMillis()));
    if (request.traceparent() != null) {
      call.putHeader("traceparent", request.traceparent());
    }
    Future<HttpResponse<Buffer>> sent;
    Object body = request.body();
    if (body instanceof Buffer) {
      sent = call.putHeader("content-type", "application/octet-stream").sendBuffer((Buffer) body);
    } else {
      sent = call.sendJsonObject(body == null ? new JsonObject() : (JsonObject) body);
    }
    return sent.transform(ar -> ar.succeeded() ? reply(service, url, ar.result())
        : Future.failedFuture(transportError(service, url, ar.cause(), timeout)));
  }

  private static Future<Message> reply(ServiceDescriptor service, String url, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    Buffer body = response.body();
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(Message.of(Category.QUERY, service.name(), bodyOf(response, body)));
    }
    JsonObject error = jsonObject(response, body);
    if (error != null && error.getValue("code") instanceof String) {
      // The service speaks commbus errors itself: keep its code.
      return Future.failedFuture(CommBusException.of(ErrorCode.fromName(error.getString("code")),
          error.getString("message", "HTTP " + status), "http " + status));
    }
    String text = body == null ? "" : body.toString();
    if (text.length() > MAX_ERROR_TEXT) {
      text = text.substring(0, MAX_ERROR_TEXT) + "...";
    }
    String message = "service " + service.name() + " answered HTTP " + status + " from " + url
        + (text.isBlank() ? "" : ": " + text);
    return Future.failedFuture(CommBusException.of(codeFor(status), message, "http " + status));
  }

  static ErrorCode codeFor(int status) {
    switch (status) {
      case 400:
      case 422:
        return ErrorCode.INVALID_MESSAGE;
      case 401:
      case 403:
        return ErrorCode.REJECTED;
      case 404:
        return ErrorCode.NO_HANDLER;
      case 408:
      case 504:
        return ErrorCode.TIMEOUT;
      case 429:
        return ErrorCode.OVERLOADED;
      case 502:
      case 503:
        return ErrorCode.UNAVAILABLE;
      default:
        return ErrorCode.HANDLER_FAILED;
    }
  }

  private static Object bodyOf(HttpResponse<Buffer> response, Buffer body) {
    if (body == null || body.length() == 0) {
      return null;
    }
    JsonObject json = jsonObject(response, body);
    return json != null ? json : body;
  }

  /** The body as a JSON object when the response says it is JSON and it is one; else null. */
  private static JsonObject jsonObject(HttpResponse<Buffer> response, Buffer body) {
    String type = response.getHeader("content-type");
    if (body == null || body.length() == 0 || type == null || !type.toLowerCase().contains("json")) {
      return null;
    }
    try {
      Object value = io.vertx.core.json.Json.decodeValue(body);
      return value instanceof JsonObject ? (JsonObject) value : new JsonObject().put("value", value);
    } catch (DecodeException e) {
      return null;
    }
  }

  private static CommBusException transportError(ServiceDescriptor service, String url, Throwable cause,
                                                  Duration timeout) {
    if (cause instanceof TimeoutException || cause instanceof io.netty.handler.timeout.TimeoutException) {
      return CommBusException.of(ErrorCode.TIMEOUT, "service " + service.name() + " did not answer within "
          + timeout.toMillis() + " ms at " + url);
    }
    if (cause instanceof ConnectException) {
      return new CommBusException(ErrorCode.UNAVAILABLE, "service " + service.name() + " cannot be reached at " + url
          + ": " + cause.getMessage(), cause);
    }
    return new CommBusException(ErrorCode.UNAVAILABLE, "service " + service.name() + " failed at " + url + ": "
        + cause, cause);
  }

  /** Closes the HTTP client. */
  public void close() {
    client.close();
  }
}
