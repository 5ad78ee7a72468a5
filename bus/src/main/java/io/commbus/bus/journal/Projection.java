package io.commbus.bus.journal;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.vertx.core.Future;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Folds journaled events into a piece of state: {@code state = fold(state, event)} for each
 * event in position order, replayed from the journal and then followed live. To resume after
 * a restart, save {@link #state()} together with {@link #position()} and start again from them:
 * the projection continues with the event after that position, so nothing is folded twice.
 *
 * <pre>{@code
 * Projection<Long> revenue = Projection.start(bus, "OrderPaid", 0L, 0,
 *     (total, event) -> total + event.json().getLong("cents"));
 * }</pre>
 */
public final class Projection<S> {

  private final Registration subscription;
  private volatile S state;
  private volatile long position;

  private Projection(CommBus bus, String eventType, S initialState, long afterPosition,
                     BiFunction<S, Message, S> fold) {
    this.state = initialState;
    this.position = afterPosition;
    this.subscription = bus.subscribeFrom(eventType, afterPosition + 1, event -> {
      state = fold.apply(state, event);
      position = event.position();
    });
  }

  /**
   * Starts folding events of {@code eventType} (null: every type) that come after
   * {@code afterPosition} (0: from the beginning) into {@code initialState}.
   */
  public static <S> Projection<S> start(CommBus bus, String eventType, S initialState, long afterPosition,
                                        BiFunction<S, Message, S> fold) {
    Objects.requireNonNull(fold, "fold");
    return new Projection<>(bus, eventType, initialState, afterPosition, fold);
  }

  /** The state after every event up to {@link #position()}. */
  public S state() {
    return state;
  }

  /** The position of the last event folded in; the starting position before any. */
  public long position() {
    return position;
  }

  /** Completes once the projection has caught up with the journal the first time. */
  public Future<Void> caughtUp() {
    return subscription.ready();
  }

  /** Stops following the journal; the state stays readable. */
  public Future<Void> stop() {
    return subscription.unregister();
  }
}
