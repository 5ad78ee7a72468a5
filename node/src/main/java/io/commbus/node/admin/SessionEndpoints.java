package io.commbus.node.admin;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.pipeline.SessionService;
import io.commbus.process.pipeline.Sessions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * {@code /sessions}: {@code GET} lists this node's pipeline sessions, {@code POST} creates one
 * here from {@code {"id", "spec": {...}}} or {@code {"id", "pipeline": name}} and answers its
 * status once every node is ready (201); {@code GET /sessions/ID} and {@code DELETE /sessions/ID}
 * reach the session wherever in the cluster it runs (404 {@code SESSION_NOT_FOUND} when none does).
 */
final class SessionEndpoints {

  private final CommBus bus;
  private final Sessions sessions;

  SessionEndpoints(CommBus bus, Sessions sessions) {
    this.bus = bus;
    this.sessions = sessions;
  }

  Future<JsonObject> list() {
    return sessions.list().map(list -> new JsonObject().put("sessions", list).put("count", list.size()));
  }

  Future<JsonObject> create(Buffer body) {
    JsonObject request;
    try {
      request = body == null || body.length() == 0 ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "the body must be a JSON object, "
          + "{\"id\", \"spec\": {...}} or {\"id\", \"pipeline\": name}: " + e.getMessage()));
    }
    return SessionService.create(sessions, request).map(session -> session.status());
  }

  Future<JsonObject> status(String id) {
    return SessionService.status(bus, id);
  }

  Future<JsonObject> terminate(String id) {
    return SessionService.terminate(bus, id);
  }
}
