package io.commbus.node;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Set;

/**
 * A consumer-group handler the test configurations name by class, as a user's would be: it
 * publishes {@code test.Audited} for each event, and fails the first attempt at an event whose
 * body says {@code "failOnce": true}, so the group's retry is seen.
 */
public class AuditMember implements GroupHandler {

  /** Events failed once already; this instance's own, touched on its event loop only. */
  private final Set<String> failed = new HashSet<>();

  @Override
  public Future<?> handle(Message event, CommBus bus) {
    JsonObject body = event.json();
    if (body.getBoolean("failOnce", false) && failed.add(event.id())) {
      return Future.failedFuture(new IllegalStateException("the first attempt at " + event.id() + " fails"));
    }
    return bus.publish(Message.event("test.Audited", new JsonObject().put("n", body.getInteger("n"))
        .put("position", event.position())));
  }
}
