package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Registers {@link CallbackHandler}s on a bus. Each one becomes a stream handler for its
 * callback path, so children on every node of a cluster can call it.
 */
public final class CallbackRegistry {

  private CallbackRegistry() {
  }

  /** Registers {@code handler} under its path. */
  public static <Q, R> Future<Registration> register(CommBus bus, CallbackHandler<Q, R> handler) {
    String path = handler.path();
    return bus.registerStreamHandler(CallbackPaths.messageType(path), (Message request, StreamSink<Object> sink) -> {
      Q typed = read(path, request, handler.requestType());
      handler.handle(typed, itemSink(sink));
    });
  }

  @SuppressWarnings("unchecked")
  private static <Q> Q read(String path, Message request, Class<Q> type) {
    Object body = request.body();
    if (type == Message.class) {
      return (Q) request;
    }
    if (type == JsonObject.class || type == Object.class) {
      return (Q) (body == null ? new JsonObject() : body);
    }
    if (type == Buffer.class) {
      return (Q) request.buffer();
    }
    try {
      return request.bodyAs(type);
    } catch (CommBusException e) {
      throw new CommBusException(ErrorCode.CODEC, "callback " + path + ": " + e.getMessage(), e);
    }
  }

  /** Items become JSON (or stay bytes) on their way out. */
  @SuppressWarnings("unchecked")
  private static <R> StreamSink<R> itemSink(StreamSink<Object> sink) {
    return (StreamSink<R>) (StreamSink<?>) sink;
  }
}
