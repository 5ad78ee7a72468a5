package io.commbus.node.admin;

import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.Check;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * {@code POST /publish}, {@code /send}, {@code /query} and {@code /queryStream}: a JSON request
 * {@code {"type": ..., "payload": {...}, "timeoutMs": ..., "metadata": {...}, "id": ...}} becomes
 * a bus call. Answers {@code {"position": n}}, {@code {"sent": true}} and {@code {"reply": ...}};
 * a failure answers {@code {"error": {"code", "message", ...}}} with a status that fits its code.
 */
final class BusEndpoints {

  /** The longest {@code timeoutMs} a caller may ask for: the bus's own bound. */
  private static final long MAX_TIMEOUT_MS = CommBusOptions.MAX_TIMEOUT.toMillis();

  private final CommBus bus;

  BusEndpoints(CommBus bus) {
    this.bus = bus;
  }

  Future<JsonObject> publish(Buffer body) {
    return parse(body, Category.EVENT).compose(request -> bus.publish(request.message()))
        .map(position -> new JsonObject().put("position", position));
  }

  Future<JsonObject> send(Buffer body) {
    return parse(body, Category.COMMAND).compose(request -> bus.send(request.message()))
        .map(v -> new JsonObject().put("sent", true));
  }

  Future<JsonObject> query(Buffer body) {
    return parse(body, Category.QUERY).compose(request -> request.timeout() == null ? bus.query(request.message())
        : bus.query(request.message(), request.timeout())).map(BusEndpoints::reply);
  }

  /** {@code POST /queryStream}: the same request as a query; the stream, once the handler has accepted it. */
  Future<QueryStream<Message>> queryStream(Buffer body) {
    return parse(body, Category.QUERY).compose(request -> request.timeout() == null
        ? bus.queryStream(request.message()) : bus.queryStream(request.message(), request.timeout()));
  }

  private static JsonObject reply(Message reply) {
    Object body = reply.body();
    if (body instanceof Buffer) {
      return new JsonObject().put("replyBase64", Base64.getEncoder().encodeToString(((Buffer) body).getBytes()));
    }
    return new JsonObject().put("reply", body);
  }

  /** A parsed request: the message and, for a query, how long to wait (null: the bus's default). */
  private record Request(Message message, Duration timeout) {
  }

  private static Future<Request> parse(Buffer body, Category category) {
    try {
      return Future.succeededFuture(request(body, category));
    } catch (CommBusException e) {
      return Future.failedFuture(e);
    }
  }

  private static Request request(Buffer body, Category category) {
    boolean waits = category == Category.QUERY;
    JsonObject json;
    try {
      json = body == null || body.length() == 0 ? null : new JsonObject(body);
    } catch (DecodeException e) {
      throw invalid("the request body is not a JSON object: " + e.getMessage());
    }
    if (json == null) {
      throw invalid("the request body must be {\"type\": ..., \"payload\": {...}}");
    }
    for (String field : json.fieldNames()) {
      if (!field.equals("type") && !field.equals("payload") && !field.equals("metadata") && !field.equals("id")
          && !(waits && field.equals("timeoutMs"))) {
        throw invalid(field + ": unknown field of a " + category.verb() + " request; known: type, payload, metadata, id"
            + (waits ? ", timeoutMs" : ""));
      }
    }
    Object type = json.getValue("type");
    if (!(type instanceof String) || ((String) type).isBlank()) {
      throw invalid("type: required, the message type (e.g. pricing.Quote)");
    }
    Object payload = json.getValue("payload");
    if (payload != null && !(payload instanceof JsonObject)) {
      throw invalid("payload: must be a JSON object");
    }
    JsonObject content = payload == null ? new JsonObject() : (JsonObject) payload;
    Message message = Message.of(category, (String) type, content);
    Object id = json.getValue("id");
    if (id != null) {
      if (!(id instanceof String) || ((String) id).isBlank()) {
        throw invalid("id: must be a non-empty string");
      }
      message = message.withId((String) id);
    }
    Object metadata = json.getValue("metadata");
    if (metadata != null) {
      if (!(metadata instanceof JsonObject)) {
        throw invalid("metadata: must be an object of strings");
      }
      for (Map.Entry<String, Object> entry : (JsonObject) metadata) {
        if (!(entry.getValue() instanceof String)) {
          throw invalid("metadata." + entry.getKey() + ": must be a string");
        }
        message = message.withMetadata(entry.getKey(), (String) entry.getValue());
      }
    }
    Duration timeout = null;
    Object millis = json.getValue("timeoutMs");
    if (millis != null) {
      if (!(millis instanceof Integer || millis instanceof Long)) {
        throw invalid("timeoutMs: must be a whole number of milliseconds, from 1 to " + MAX_TIMEOUT_MS);
      }
      try {
        timeout = Duration.ofMillis(Check.between("timeoutMs", ((Number) millis).longValue(), 1, MAX_TIMEOUT_MS));
      } catch (InvalidSettingException e) {
        throw invalid(e.getMessage());
      }
    }
    return new Request(message, timeout);
  }

  private static CommBusException invalid(String message) {
    return new CommBusException(ErrorCode.INVALID_MESSAGE, message);
  }

  /** The HTTP status for a bus error: the caller's fault, nobody there, too busy, too slow, or it broke. */
  static int status(ErrorCode code) {
    switch (code) {
      case INVALID_MESSAGE:
      case CODEC:
        return 400;
      case NO_HANDLER:
      case SESSION_NOT_FOUND:
        return 404;
      case REJECTED:
        return 422;
      case FORBIDDEN:
        return 403;
      case OVERLOADED:
      case RESOURCE_LIMIT:
      case UNAVAILABLE:
      case NODE_LEFT:
        return 503;
      case TIMEOUT:
      case INIT_TIMEOUT:
        return 504;
      case HANDLER_FAILED:
      case CHILD_EXITED:
      case PROTOCOL:
      case START_FAILED:
      case NODE_CRASHED:
      case PIPELINE_TERMINATED:
        return 502;
      default:
        return 500;
    }
  }
}
