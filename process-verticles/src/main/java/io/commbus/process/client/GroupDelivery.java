package io.commbus.process.client;

import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.Exchange;
import io.commbus.process.child.TraceScope;
import io.commbus.process.wire.Protocol;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * One event of a consumer group on its way to the client that is the group's member here: a
 * {@code req} with the event's type, its group and position, whose answer acknowledges the
 * event and whose error (or the client's going) makes the group try it again.
 */
final class GroupDelivery implements Exchange {

  private final String group;
  private final Message event;
  private final Promise<Object> handled;
  private final long deadline;

  GroupDelivery(String group, Message event, Promise<Object> handled, long timeoutMillis) {
    this.group = group;
    this.event = event;
    this.handled = handled;
    this.deadline = System.currentTimeMillis() + timeoutMillis;
  }

  @Override
  public long deadlineMillis() {
    return deadline;
  }

  @Override
  public String type() {
    return event.type();
  }

  @Override
  public Object payload() {
    return event.body();
  }

  @Override
  public String traceparent() {
    return TraceScope.outgoing(event.traceparent());
  }

  @Override
  public void addToHeader(JsonObject header) {
    header.put(Protocol.GROUP, group).put(Protocol.POSITION, event.position());
  }

  @Override
  public boolean streamed() {
    return false;
  }

  @Override
  public void onValue(Object value) {
    handled.tryComplete(value);
  }

  @Override
  public void onItem(Object value, Runnable consumed) {
    handled.tryFail(CommBusException.of(ErrorCode.PROTOCOL, "the member of group " + group
        + " answered an event with a stream"));
  }

  @Override
  public void onEnd() {
    handled.tryComplete();
  }

  @Override
  public void onError(CommBusException error) {
    handled.tryFail(error);
  }

  @Override
  public void onCallerCancel(Runnable cancel) {
    // The group waits for its answer or its timeout; it never cancels.
  }
}
