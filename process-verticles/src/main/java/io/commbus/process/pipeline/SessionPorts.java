package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Registration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A running session on the bus, so a caller anywhere in the cluster (a Java caller, a Python
 * child or client, another node) can feed it and read it (docs/pipelines.md, "On the bus"):
 *
 * <ul>
 *   <li>{@code commbus.session.<id>.out.<node>.<port>}: a streamed query whose items are the
 *   output's, each a channel {@code item} frame as bytes; one reader at a time;</li>
 *   <li>{@code commbus.session.<id>.in.<node>.<port>}: a query per frame ({@code item}, then
 *   {@code end} or {@code err}), answered once the frame is in the channel: a caller that waits
 *   for its answers goes at the node's pace;</li>
 *   <li>{@code commbus.session.<id>.status} and {@code .terminate}: queries.</li>
 * </ul>
 */
final class SessionPorts {

  private static final String PREFIX = "commbus.session.";

  private final CommBus bus;
  private final Vertx vertx;
  private final Session session;
  private final List<Registration> registrations = new ArrayList<>();

  SessionPorts(CommBus bus, Vertx vertx, Session session) {
    this.bus = bus;
    this.vertx = vertx;
    this.session = session;
  }

  static String outputType(String session, Port port) {
    return PREFIX + session + ".out." + port;
  }

  static String inputType(String session, Port port) {
    return PREFIX + session + ".in." + port;
  }

  static String statusType(String session) {
    return PREFIX + session + ".status";
  }

  static String terminateType(String session) {
    return PREFIX + session + ".terminate";
  }

  /** Registers the session's types; completes once every one can be reached. */
  Future<Void> open(Map<Port, SessionOutput> outputs, Map<Port, ChannelSink> inputs) {
    List<Future<Registration>> made = new ArrayList<>();
    String id = session.id();
    outputs.forEach((port, output) -> made.add(bus.registerStreamHandler(outputType(id, port),
        new PortOutput("session " + id + ": output " + port, output, vertx)::attach)));
    inputs.forEach((port, input) -> made.add(bus.registerHandler(inputType(id, port),
        new PortInput("session " + id + ": input " + port, input)::take)));
    // Each kept as it is made, so a failure of one leaves none of the others behind (close() has them all).
    made.forEach(registering -> registering.onSuccess(registrations::add));
    return Future.all(made).compose(all -> Future.all(registrations.stream().map(Registration::ready).toList()))
        .mapEmpty();
  }

  /** Registers the session's status and terminate types, as it starts; completes once both can be reached. */
  Future<Void> control() {
    String id = session.id();
    List<Future<Registration>> made = List.of(
        bus.registerHandler(statusType(id), m -> Future.succeededFuture(session.status())),
        bus.registerHandler(terminateType(id), m -> session.terminate().map(v -> session.status())));
    made.forEach(registering -> registering.onSuccess(registrations::add));
    return Future.all(made).compose(all -> Future.all(made.stream().map(f -> f.result().ready()).toList()))
        .mapEmpty();
  }

  /** Serves {@code output}, a channel another host reads, at {@code type}; unregistered with the rest. */
  Future<Void> export(String type, SessionOutput output) {
    return bus.registerStreamHandler(type, new PortOutput("session " + session.id() + ": channel from "
        + output.port(), output, vertx)::attach).compose(r -> {
      registrations.add(r);
      return r.ready();
    });
  }

  /** Unregisters them; completes either way. */
  Future<Void> close() {
    return Future.join(registrations.stream().map(Registration::unregister).toList()).transform(v ->
        Future.succeededFuture());
  }
}
