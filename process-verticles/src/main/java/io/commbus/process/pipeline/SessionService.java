package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A node's {@link Sessions} on the bus (docs/pipelines.md, "On the bus"):
 * {@code commbus.sessions.create} takes {@code {"id", "spec": {...}}} or {@code {"id",
 * "pipeline": "name"}} (a pipeline of the node's configuration) and answers with the session's
 * status once it is ready; {@code commbus.sessions.list} answers {@code {"sessions": [...]}}.
 * A running session's own types ({@code commbus.session.<id>....}) reach the node that runs it.
 */
public final class SessionService {

  public static final String CREATE = "commbus.sessions.create";
  public static final String LIST = "commbus.sessions.list";

  private final List<Registration> registrations = new ArrayList<>();

  private SessionService() {
  }

  /** Registers the sessions' types on {@code bus}; completes once they can be reached. */
  public static Future<SessionService> register(CommBus bus, Sessions sessions) {
    SessionService service = new SessionService();
    List<Future<Registration>> made = List.of(
        bus.registerHandler(CREATE, message -> create(sessions, message.json()).map(Session::status)),
        bus.registerHandler(LIST, message -> sessions.list().map(list -> new JsonObject().put("sessions", list))),
        sessions.registerHost().map(host -> host.orElse(null)));
    return Future.all(made).compose(all -> {
      made.stream().map(Future::result).filter(r -> r != null).forEach(service.registrations::add);
      return Future.all(service.registrations.stream().map(Registration::ready).toList());
    }).map(service);
  }

  /**
   * Creates the session {@code body} describes, {@code {"id", "spec": {...}}} or {@code {"id",
   * "pipeline": name}}, on {@code sessions}: what {@code commbus.sessions.create} and the admin
   * API's {@code POST /sessions} do. A spec that is wrong fails with INVALID_MESSAGE naming its field.
   */
  public static Future<Session> create(Sessions sessions, JsonObject body) {
    if (body == null) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE,
          "a session is created from {\"id\", \"spec\": {...}} or {\"id\", \"pipeline\": name}"));
    }
    String id = body.getValue("id") instanceof String s ? s : null;
    if (body.getValue("spec") instanceof JsonObject spec) {
      try {
        return sessions.create(id, PipelineSpec.read(spec));
      } catch (ConfigException e) {
        return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "session " + id + ": "
            + e.getMessage()));
      }
    } else if (body.getValue("pipeline") instanceof String pipeline) {
      return sessions.create(id, pipeline);
    }
    return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "session " + id
        + ": give its \"spec\" (an object) or the name of a configured \"pipeline\""));
  }

  /** The status of session {@code id}, wherever in the cluster it runs; SESSION_NOT_FOUND when none does. */
  public static Future<JsonObject> status(CommBus bus, String id) {
    return sessionCall(bus, id, SessionPorts.statusType(id));
  }

  /** Terminates session {@code id}, wherever it runs, and answers its final status; SESSION_NOT_FOUND when none does. */
  public static Future<JsonObject> terminate(CommBus bus, String id) {
    return sessionCall(bus, id, SessionPorts.terminateType(id));
  }

  private static Future<JsonObject> sessionCall(CommBus bus, String id, String type) {
    if (!Sessions.wellFormed(id)) {
      return Future.failedFuture(new CommBusException(ErrorCode.SESSION_NOT_FOUND, "no session " + id + " runs: "
          + "that is no session id"));
    }
    return bus.query(Message.query(type, null)).map(Message::json).recover(e -> {
      if (e instanceof CommBusException c && c.code() == ErrorCode.NO_HANDLER) {
        return Future.failedFuture(new CommBusException(ErrorCode.SESSION_NOT_FOUND, "no session " + id + " runs"));
      }
      return Future.failedFuture(e);
    });
  }

  /** Unregisters the types; completes either way. */
  public Future<Void> close() {
    return Future.join(registrations.stream().map(Registration::unregister).toList())
        .transform(v -> Future.succeededFuture());
  }
}
