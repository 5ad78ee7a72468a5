package io.commbus.process.child;

import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameTooLarge;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;

import java.util.ArrayDeque;

/**
 * Bus events for the child ({@code subscribe} calls), one {@code item} per event with its type
 * and position. A subscriber cannot slow publishers, so a bounded buffer covers a slow child;
 * one that falls further behind is ended with OVERLOADED.
 */
final class ForwardedSubscription implements InboundCall {

  private final long id;
  private final ChildCalls calls;
  private final FrameWriter writer;
  private final ArrayDeque<Message> buffered = new ArrayDeque<>();
  private int credit;
  Registration registration;

  ForwardedSubscription(long id, int credit, ChildCalls calls, FrameWriter writer) {
    this.id = id;
    this.credit = credit;
    this.calls = calls;
    this.writer = writer;
  }

  void deliver(Message event) {
    if (!calls.isOpen(id, this)) {
      return;
    }
    if (credit > 0 && buffered.isEmpty()) {
      credit--;
      send(event);
    } else if (buffered.size() < Protocol.SUBSCRIPTION_BUFFER) {
      buffered.add(event);
    } else {
      stop();
      calls.fail(id, this, CommBusException.of(ErrorCode.OVERLOADED, "subscription to " + event.type() + " fell "
          + Protocol.SUBSCRIPTION_BUFFER + " events behind and was ended"));
    }
  }

  /** The {@code item} that carries {@code event} on exchange {@code id}: its type and position in the header. */
  static Frame eventItem(long id, Message event) {
    return Frame.withValue(FrameKind.ITEM, Frame.header(FrameKind.ITEM, id).put(Protocol.TYPE, event.type())
        .put(Protocol.POSITION, event.position()), event.body());
  }

  private void send(Message event) {
    try {
      writer.write(eventItem(id, event));
    } catch (FrameTooLarge e) {
      // An event the child cannot take ends this subscription alone, as falling behind does.
      buffered.clear();
      stop();
      calls.fail(id, this, e);
    }
  }

  @Override
  public void credit(int n) {
    credit += n;
    while (credit > 0 && !buffered.isEmpty()) {
      credit--;
      send(buffered.removeFirst());
    }
  }

  @Override
  public void stop() {
    if (registration != null) {
      registration.unregister();
    }
  }
}
