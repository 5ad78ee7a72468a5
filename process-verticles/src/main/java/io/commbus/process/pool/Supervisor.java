package io.commbus.process.pool;

import io.commbus.bus.CommBus;
import io.commbus.process.child.ChildExit;
import io.commbus.process.child.ChildProcess;
import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Keeps a pool's slots filled: starts a child in each, restarts one that ended unasked under
 * the {@link RestartPolicy} (exponential backoff, a failure count that a stable run resets),
 * gives up on one that keeps failing but still tries it at the policy's slow cadence, so the
 * pool recovers by itself when the cause goes away, and stops them. Runs on the pool's context.
 */
final class Supervisor {

  /** What the supervisor tells its pool, besides the lifecycle its {@link PoolListener} hears. */
  interface Pool {
    /** {@code child} is ready in {@code slot}. */
    void ready(Slot slot, ChildProcess child);

    /** Every slot is given up or retired: nothing serves until a slow retry brings a child back. */
    void allGaveUp();
  }

  private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());
  private static final int TOKEN_BYTES = 32;

  private final Context context;
  private final Vertx vertx;
  private final CommBus bus;
  private final PoolSpec spec;
  private final RuntimeDirectory directory;
  private final PoolListener events;
  private final Pool pool;
  private final SecureRandom random = new SecureRandom();
  private final List<Slot> slots = new ArrayList<>();
  private boolean stopping;
  private long restarts;

  Supervisor(Context context, CommBus bus, PoolSpec spec, RuntimeDirectory directory, PoolListener events, Pool pool) {
    this.context = context;
    this.vertx = context.owner();
    this.bus = bus;
    this.spec = spec;
    this.directory = directory;
    this.events = events;
    this.pool = pool;
  }

  /** Every slot, retired ones included, in order. */
  List<Slot> slots() {
    return slots;
  }

  /** Slots not retired, in order. */
  List<Slot> active() {
    List<Slot> active = new ArrayList<>();
    for (Slot slot : slots) {
      if (!slot.retired) {
        active.add(slot);
      }
    }
    return active;
  }

  /** Restarts since the pool started. */
  long restarts() {
    return restarts;
  }

  /** Whether no slot serves until a slow retry, if ever. */
  boolean allDone() {
    return slots.stream().allMatch(Slot::done);
  }

  /** Adds a slot and starts its first child; completes when that child is ready. */
  Future<HandlerKind> addSlot() {
    Slot slot = new Slot(slots.size(), spec.name());
    slots.add(slot);
    slot.firstStart = launch(slot);
    return slot.firstStart;
  }

  /** Retires {@code slot} and stops its child gracefully. */
  Future<Void> retire(Slot slot) {
    slot.retired = true;
    slot.cancelTimers(vertx);
    return slot.child == null ? Future.succeededFuture() : slot.child.stop();
  }

  /** Stops every child gracefully; nothing is restarted any more. */
  Future<Void> stopAll() {
    stopping = true;
    List<Future<Void>> stops = new ArrayList<>();
    for (Slot slot : slots) {
      stops.add(retire(slot));
    }
    return Future.join(stops).mapEmpty();
  }

  private Future<HandlerKind> launch(Slot slot) {
    slot.generation++;
    ChildProcess child = new ChildProcess(context, bus, spec.child(), slot.childId,
        directory.socket(slot.index, slot.generation), HexFormat.of().formatHex(nextToken()),
        (ended, exit) -> childExited(slot, ended, exit));
    slot.child = child;
    slot.run = child.start();
    return slot.run.andThen(ar -> {
      if (slot.child != child) {
        return;
      }
      if (ar.succeeded()) {
        childReady(slot, child);
      } else {
        LOG.log(System.Logger.Level.WARNING, ar.cause().getMessage());
      }
    });
  }

  private byte[] nextToken() {
    byte[] token = new byte[TOKEN_BYTES];
    random.nextBytes(token);
    return token;
  }

  private void childReady(Slot slot, ChildProcess child) {
    if (slot.retired) {
      child.stop();
      return;
    }
    if (slot.gaveUp) {
      slot.gaveUp = false;
      LOG.log(System.Logger.Level.INFO, "pool " + spec.name() + ": child " + slot.childId
          + " is ready again after it was given up");
    }
    slot.stableTimer = vertx.setTimer(spec.restarts().stableAfter().toMillis(), t -> {
      slot.stableTimer = -1;
      slot.failures = 0;
    });
    events.childStarted(slot.childId, child.pid(), child.handlerKind(), child.startupMillis(), slot.generation);
    pool.ready(slot, child);
  }

  private void childExited(Slot slot, ChildProcess child, ChildExit exit) {
    if (slot.child != child) {
      return;
    }
    slot.cancelTimers(vertx);
    if (stopping) {
      return;
    }
    events.childExited(slot.childId, child.pid(), exit);
    if (slot.retired) {
      return;
    }
    LOG.log(System.Logger.Level.WARNING, exit.description());
    if (!slot.firstStart.isComplete()) {
      return; // deployment fails; nothing to restart
    }
    slot.lastExit = new LastExit(exit, slot.run.failed() ? slot.run.cause().getMessage() : null, Instant.now());
    slot.failures++;
    RestartPolicy policy = spec.restarts();
    if (slot.gaveUp) {
      restartLater(slot, policy.givenUpRetry().toMillis());
      return;
    }
    if (policy.givesUp(slot.failures)) {
      slot.gaveUp = true;
      // Before the event, so whoever hears it sees the slot given up with its retry planned.
      restartLater(slot, policy.givenUpRetry().toMillis());
      events.childGaveUp(slot.childId, slot.failures - 1, exit.description());
      LOG.log(System.Logger.Level.ERROR, "pool " + spec.name() + ": child " + slot.childId + " gave up after "
          + (slot.failures - 1) + " restarts; it is tried again every " + policy.givenUpRetry().toMillis() + " ms");
      if (allDone()) {
        pool.allGaveUp();
      }
      return;
    }
    long delay = policy.delayMillis(slot.failures);
    restartLater(slot, delay);
    events.childRestarting(slot.childId, slot.failures, delay);
  }

  private void restartLater(Slot slot, long delayMillis) {
    slot.restartAt = Instant.now().plusMillis(delayMillis);
    slot.restartTimer = vertx.setTimer(delayMillis, t -> {
      slot.restartTimer = -1;
      slot.restartAt = null;
      if (!stopping && !slot.retired) {
        // Counted when it happens: a restart planned and then stopped never was one.
        restarts++;
        slot.restarts++;
        launch(slot);
      }
    });
  }
}
