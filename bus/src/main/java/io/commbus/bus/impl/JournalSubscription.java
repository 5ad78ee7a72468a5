package io.commbus.bus.impl;

import io.commbus.bus.Message;
import io.commbus.bus.JournalFollow;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Follows the journal from a position: reads a batch, delivers it in order, reads the next,
 * and once caught up waits for the journal to say more was appended. Everything comes from the
 * journal, so position order holds and nothing is skipped or repeated; the next batch is read
 * only after the last one was delivered, so a slow handler slows the reading, and a paused
 * subscription reads nothing more until it is resumed. All state lives
 * on one context.
 */
final class JournalSubscription implements JournalFollow {

  private static final int BATCH = 256;

  private final Context context;
  private final Context root;
  private final EventJournal journal;
  private final Set<String> types;
  private final Function<JournalRecord, Message> toMessage;
  private final Handler<Message> handler;
  private final Consumer<Throwable> onHandlerFailure;
  private final Promise<Void> ready = Promise.promise();
  private final Promise<Void> ended = Promise.promise();
  private AutoCloseable watch;
  private long next;
  private boolean reading;
  /** Set when the journal grew while a read was under way, so that read's emptiness is stale. */
  private boolean grew;
  private boolean stopped;
  private boolean paused;
  /** Records read but not yet handed over, because the subscription was paused in the middle of a batch. */
  private final ArrayDeque<JournalRecord> held = new ArrayDeque<>();

  private volatile Runnable released;

  JournalSubscription(Context context, EventJournal journal, Set<String> types, long fromPosition,
                      Function<JournalRecord, Message> toMessage, Handler<Message> handler,
                      Consumer<Throwable> onHandlerFailure) {
    this.context = context;
    this.root = VertxInternals.root(context);
    this.journal = journal;
    this.types = Set.copyOf(types);
    this.next = Math.max(1, fromPosition);
    this.toMessage = toMessage;
    this.handler = handler;
    this.onHandlerFailure = onHandlerFailure;
  }

  /** Runs {@code released} once this subscription is unregistered. */
  void onUnregistered(Runnable released) {
    this.released = released;
  }

  /** Starts following; {@link #ready()} completes once the replay has caught up the first time. */
  JournalSubscription start() {
    context.runOnContext(v -> {
      watch = journal.watch(last -> {
        grew = true;
        readMore();
      });
      readMore();
    });
    return this;
  }

  @Override
  public JournalFollow pause() {
    VertxInternals.runOn(root, () -> paused = true);
    return this;
  }

  @Override
  public JournalFollow resume() {
    VertxInternals.runOn(root, () -> {
      if (!paused) {
        return;
      }
      paused = false;
      if (deliver(held) && !reading) {
        readMore();
      }
    });
    return this;
  }

  /** Hands {@code records} to the handler in order until they are done or the subscription pauses or stops; true when done. */
  private boolean deliver(ArrayDeque<JournalRecord> records) {
    while (!records.isEmpty()) {
      if (paused || stopped) {
        return false;
      }
      JournalRecord record = records.removeFirst();
      next = record.position() + 1;
      try {
        handler.handle(toMessage.apply(record));
      } catch (RuntimeException e) {
        onHandlerFailure.accept(e);
      }
    }
    return !stopped && !paused;
  }

  private void readMore() {
    if (reading || stopped || paused || !held.isEmpty()) {
      return;
    }
    reading = true;
    grew = false;
    journal.read(next, BATCH, types).onComplete(ar -> VertxInternals.runOn(root, () -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        ready.tryFail(ar.cause());
        ended.tryFail(ar.cause());
        stop();
        if (released != null) {
          released.run(); // the bus forgets a follow that ended
        }
        return;
      }
      List<JournalRecord> records = ar.result();
      held.addAll(records);
      if (!deliver(held)) {
        return; // paused or stopped: resume() delivers the rest and reads on
      }
      if (records.size() == BATCH || grew) {
        context.runOnContext(x -> readMore());
      } else {
        ready.tryComplete();
      }
    }));
  }

  private void stop() {
    stopped = true;
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception ignored) {
        // Closing a watch only removes a listener.
      }
    }
  }

  /** How a subscription to {@code types} is named in its {@link #type()} and in the stats. */
  static String describe(Set<String> types) {
    return types.isEmpty() ? "*" : String.join(",", new TreeSet<>(types));
  }

  @Override
  public String type() {
    return describe(types);
  }

  @Override
  public String kind() {
    return Kind.JOURNAL_SUBSCRIBER.label();
  }

  /** Completes when the replay first catches up with the journal. */
  @Override
  public Future<Void> ready() {
    return ready.future();
  }

  @Override
  public Future<Void> ended() {
    return ended.future();
  }

  @Override
  public Future<Void> unregister() {
    Promise<Void> done = Promise.promise();
    // Inline when already on the context: a verticle's stop() runs there while it undeploys.
    VertxInternals.runOn(root, () -> {
      stop();
      ready.tryFail("unregistered before catching up");
      ended.tryComplete();
      if (released != null) {
        released.run();
      }
      done.complete();
    });
    return done.future();
  }
}
