package io.commbus.node.admin;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The admin API's one error shape, {@code {"error": {"code", "message"}}}, for every refusal:
 * a bus failure, a bad field, and requests the router or the HTTP decoder cannot read, which
 * Vert.x would otherwise answer with an empty or plain-text body.
 */
final class ErrorReplies {

  private ErrorReplies() {
  }

  static JsonObject error(String code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
  }

  /** The request's own fault: INVALID_MESSAGE. */
  static JsonObject invalid(String message) {
    return error(ErrorCode.INVALID_MESSAGE.name(), message);
  }

  /** A failed call, with the status that fits its code. */
  static void fail(RoutingContext ctx, Throwable cause) {
    CommBusException error = CommBusException.wrap(cause, ErrorCode.INTERNAL);
    json(ctx.response(), BusEndpoints.status(error.code()), new JsonObject().put("error", error.toJson()));
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The router's 400: a path or query string that is not valid percent-encoding, named. */
  static void unreadable(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String message;
    if (request.query() != null && !decodes(request.query())) {
      message = "the query string is not valid percent-encoding (%XX, XX hexadecimal): " + request.query();
    } else if (!decodes(request.path())) {
      message = "the path is not valid percent-encoding (%XX, XX hexadecimal): " + request.path();
    } else {
      message = "the request cannot be read" + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage());
    }
    json(ctx.response(), 400, invalid(message));
  }

  /** An unexpected failure of a route: INTERNAL, still in the API's shape. */
  static void internal(RoutingContext ctx) {
    fail(ctx, ctx.failure() != null ? ctx.failure() : new IllegalStateException("the request failed"));
  }

  /**
   * The HTTP server's handler for a request its decoder could not parse (a malformed request
   * line or header, one too long): the status Vert.x would answer, with a JSON body, and then
   * the connection closed, since what follows on it cannot be trusted to start a request.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "the request line is longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "the request headers are larger than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE + " bytes";
    } else {
      status = 400;
      message = "not a valid HTTP request" + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
    HttpServerResponse response = request.response();
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(status).putHeader("content-type", "application/json")
          .putHeader("connection", "close").end(invalid(message).encode())
          .onComplete(done -> request.connection().close());
    } else {
      request.connection().close();
    }
  }

  private static boolean decodes(String text) {
    try {
      URLDecoder.decode(text, StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
