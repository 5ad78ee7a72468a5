package io.commbus.bus.journal.group;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.DispatchLease;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Hands a consumer group's events to its members. Exactly one member's dispatcher runs at a
 * time (it holds the group's dispatch lease). It reads the journal after the group's checkpoint, sends
 * each event to the group address (the event bus picks a member, in turn, on any node), keeps
 * at most {@code maxInFlight} unacknowledged, retries failures with exponential backoff, parks
 * an event in the dead-letter stream after {@code maxAttempts}, and moves the checkpoint over
 * every event that is settled, in position order. Events after the checkpoint may be handed
 * out again after a crash or a change of dispatcher: delivery is at least once.
 */
final class GroupDispatcher {

  private static final System.Logger LOG = System.getLogger(GroupDispatcher.class.getName());

  private final Vertx vertx;
  private final io.vertx.core.Context context;
  private final EventJournal journal;
  private final ConsumerGroupOptions options;
  private final String address;
  /** What entitles this dispatcher to run; its checkpoint writes are fenced by it. */
  private final DispatchLease lease;
  /** Events handed out and not yet settled, by position. */
  private final TreeMap<Long, JournalRecord> inFlight = new TreeMap<>();
  private AutoCloseable watch;
  private long next;
  private long highestRead;
  private long committed;
  private boolean reading;
  private boolean grew;
  private boolean stopped;
  /** Whether the checkpoint was loaded and handing out began: before that there is nothing to save. */
  private boolean begun;
  private boolean saving;
  private boolean saveAgain;

  GroupDispatcher(Vertx vertx, io.vertx.core.Context context, EventJournal journal, ConsumerGroupOptions options,
                  String address, DispatchLease lease) {
    this.lease = lease;
    this.vertx = vertx;
    this.context = VertxInternals.root(context);
    this.journal = journal;
    this.options = options;
    this.address = address;
  }

  /**
   * Loads the checkpoint and starts handing out events. All state lives on the member's
   * context; every callback hops back to it, whatever context the journal or the checkpoint
   * store completes on.
   */
  Future<Void> start() {
    return options.getCheckpoints().load(options.getName()).compose(checkpoint -> {
      Promise<Void> started = Promise.promise();
      VertxInternals.runOn(context, () -> {
        begin(checkpoint);
        started.complete();
      });
      return started.future();
    });
  }

  private void begin(long checkpoint) {
    if (stopped) {
      return;   // stopped while the checkpoint loaded: nothing to watch, nothing to hand out
    }
    begun = true;
    committed = checkpoint;
    highestRead = checkpoint;
    next = checkpoint + 1;
    watch = journal.watch(last -> {
      grew = true;
      readMore();
    });
    readMore();
  }

  private void readMore() {
    int room = options.getMaxInFlight() - inFlight.size();
    if (reading || stopped || room <= 0) {
      return;
    }
    reading = true;
    grew = false;
    journal.read(next, room, options.getTypes()).onComplete(ar -> VertxInternals.runOn(context, () -> {
      reading = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        LOG.log(System.Logger.Level.WARNING, "group " + options.getName() + " could not read the journal; retrying",
            ar.cause());
        vertx.setTimer(options.getInitialBackoff().toMillis(), t -> readMore());
        return;
      }
      List<JournalRecord> records = ar.result();
      for (JournalRecord record : records) {
        next = record.position() + 1;
        highestRead = record.position();
        inFlight.put(record.position(), record);
        dispatch(record, 1);
      }
      if (records.size() == room || grew) {
        readMore();
      }
    }));
  }

  private void dispatch(JournalRecord record, int attempt) {
    if (stopped) {
      return;
    }
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.getHandlerTimeout().toMillis());
    record.event().headers().forEach(delivery::addHeader);
    delivery.addHeader(Wire.POSITION, Long.toString(record.position()));
    vertx.eventBus().request(address, record.event().body(), delivery).onComplete(ar -> VertxInternals.runOn(context, () -> {
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        settle(record.position());
        return;
      }
      boolean noMembers = ar.cause() instanceof ReplyException
          && ((ReplyException) ar.cause()).failureType() == ReplyFailure.NO_HANDLERS;
      if (noMembers) {
        // Nobody to hand it to is not the event's fault: wait, and do not count an attempt.
        vertx.setTimer(backoff(1), t -> dispatch(record, attempt));
      } else if (attempt < options.getMaxAttempts()) {
        vertx.setTimer(backoff(attempt), t -> dispatch(record, attempt + 1));
      } else {
        deadLetter(record, attempt, ar.cause());
      }
    }));
  }

  private long backoff(int attempt) {
    long initial = options.getInitialBackoff().toMillis();
    long delay = initial << Math.min(attempt - 1, 20);
    return Math.max(1, Math.min(delay, options.getMaxBackoff().toMillis()));
  }

  /** Parks an event that kept failing; the group moves on once the dead letter is stored. */
  private void deadLetter(JournalRecord record, int attempts, Throwable cause) {
    JournalEvent original = record.event();
    Map<String, String> headers = new HashMap<>();
    original.headers().forEach((name, value) -> {
      if (!Wire.isReserved(name)) {
        headers.put(name, value);
      }
    });
    headers.put("dead-letter-group", options.getName());
    headers.put("dead-letter-type", original.type());
    headers.put("dead-letter-position", Long.toString(record.position()));
    headers.put("dead-letter-attempts", Integer.toString(attempts));
    headers.put("dead-letter-error", String.valueOf(CommBusException.wrap(cause, ErrorCode.HANDLER_FAILED)));
    JournalEvent letter = new JournalEvent("dead-letter:" + options.getName() + ":" + original.id(),
        options.deadLetterType(), System.currentTimeMillis(), headers, original.body());
    journal.append(letter).onComplete(ar -> VertxInternals.runOn(context, () -> {
      if (ar.succeeded()) {
        LOG.log(System.Logger.Level.WARNING, "group " + options.getName() + " parked event " + original.id()
            + " (position " + record.position() + ") after " + attempts + " attempts: " + cause);
        settle(record.position());
      } else {
        vertx.setTimer(backoff(attempts), t -> deadLetter(record, attempts, cause));
      }
    }));
  }

  /** An event is done with: acknowledged or parked. Moves the checkpoint if it can. */
  private void settle(long position) {
    inFlight.remove(position);
    long settledUpTo = inFlight.isEmpty() ? highestRead : inFlight.firstKey() - 1;
    if (settledUpTo > committed) {
      committed = settledUpTo;
      saveCheckpoint();
    }
    readMore();
  }

  /** One save at a time; a save asked for meanwhile writes the newest checkpoint after it. */
  private void saveCheckpoint() {
    if (saving) {
      saveAgain = true;
      return;
    }
    saving = true;
    long position = committed;
    options.getCheckpoints().save(options.getName(), position, lease).onComplete(ar -> VertxInternals.runOn(context,
        () -> {
          saving = false;
          if (ar.failed()) {
            LOG.log(System.Logger.Level.WARNING, "group " + options.getName() + " could not save its checkpoint "
                + position, ar.cause());
          }
          // A holder that lost its lease has no checkpoint left to write: its successor has the group.
          if ((saveAgain || ar.failed()) && !lease.lost().isComplete()) {
            saveAgain = false;
            if (ar.failed()) {
              // The store is down or refusing: not again at once, which would spin while it is.
              vertx.setTimer(options.getInitialBackoff().toMillis(), t -> saveCheckpoint());
            } else if (!stopped) {
              saveCheckpoint();
            }
          }
        }));
  }

  /** Stops handing out events; what is in flight is left to be handed out again by the next dispatcher. */
  Future<Void> stop() {
    stopped = true;
    if (watch != null) {
      try {
        watch.close();
      } catch (Exception ignored) {
        // Closing a watch only removes a listener.
      }
    }
    // Before begin there is no checkpoint of this dispatcher's: saving 0 would undo the stored one.
    return begun ? options.getCheckpoints().save(options.getName(), committed, lease) : Future.succeededFuture();
  }
}
