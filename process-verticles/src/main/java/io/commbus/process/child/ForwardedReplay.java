package io.commbus.process.child;

import io.commbus.bus.JournalFollow;
import io.commbus.bus.Message;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.FrameTooLarge;

/**
 * The journal from a position for the peer ({@code replay} calls): one {@code item} per event
 * with its type and position, as a subscription's, but paced by the peer's credit: the journal
 * follow pauses when the credit is spent and goes on when more is granted, so a replay of a
 * long journal holds nothing beyond one event here, however slowly the peer reads.
 */
final class ForwardedReplay implements InboundCall {

  private final long id;
  private final ChildCalls calls;
  private final FrameWriter writer;
  private long credit;
  private JournalFollow follow;

  ForwardedReplay(long id, int credit, ChildCalls calls, FrameWriter writer) {
    this.id = id;
    this.credit = credit;
    this.calls = calls;
    this.writer = writer;
  }

  void follow(JournalFollow started) {
    this.follow = started;
    if (credit <= 0) {
      started.pause();
    }
    // No journal, or one that cannot be read, now or after catching up: the replay ends with why
    // (STORAGE, not UNAVAILABLE: a client takes that as its connection lost, and would replay again).
    started.ended().onFailure(e -> {
      calls.fail(id, this, CommBusException.wrap(e, ErrorCode.STORAGE));
      started.unregister(); // the bus forgets it; the call is no longer open for stopAll to
    });
  }

  void deliver(Message event) {
    if (!calls.isOpen(id, this)) {
      return;
    }
    try {
      writer.write(ForwardedSubscription.eventItem(id, event));
    } catch (FrameTooLarge e) {
      calls.fail(id, this, e); // first: stopping fails the follow's ready() too, with a vaguer reason
      stop();
      return;
    }
    if (--credit <= 0) {
      follow.pause();
    } else if (writer.backlogged()) {
      // The peer grants more than it reads: the socket's queue, not the credit, says to wait.
      follow.pause();
      writer.onDrain(() -> {
        if (credit > 0 && calls.isOpen(id, this)) {
          follow.resume();
        }
      });
    }
  }

  @Override
  public void credit(int n) {
    credit += n;
    if (credit > 0 && follow != null) {
      follow.resume();
    }
  }

  @Override
  public void stop() {
    if (follow != null) {
      follow.unregister();
    }
  }
}
