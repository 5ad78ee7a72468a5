package io.commbus.bus.journal.group;

import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.EventJournal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.Lock;

/**
 * One member of a consumer group on this bus: it consumes the group's address, and competes
 * for the group's lock; while it holds the lock it also runs the group's dispatcher. The lock
 * is cluster-wide on a clustered Vert.x, so one dispatcher runs per group across all nodes,
 * and when its node goes away another member takes over from the saved checkpoint. Internal,
 * not API: public only so that the bus's implementation can join a group.
 */
public final class GroupMember implements Registration {

  /** How long one attempt to take the lock waits before trying again. */
  private static final long LOCK_WAIT_MILLIS = 5_000;

  private final Vertx vertx;
  private final Context context;
  private final EventJournal journal;
  private final ConsumerGroupOptions options;
  private final MessageConsumer<Object> consumer;
  private final String lockName;
  private GroupDispatcher dispatcher;
  private Lock lock;
  private boolean left;

  private GroupMember(Vertx vertx, Context context, EventJournal journal, ConsumerGroupOptions options,
                      MessageConsumer<Object> consumer) {
    this.vertx = vertx;
    this.context = context;
    this.journal = journal;
    this.options = options;
    this.consumer = consumer;
    this.lockName = "commbus.group." + options.getName();
  }

  /**
   * Joins {@code group} from the caller's context: consumes the group's address, handing each
   * event the dispatcher sends to {@code onEvent} (which replies to acknowledge it or fails it
   * to refuse it), and competes to be the group's dispatcher. Completes once the member is
   * registered.
   */
  public static Future<GroupMember> join(Vertx vertx, EventJournal journal, ConsumerGroupOptions group,
                                         Handler<Message<Object>> onEvent) {
    Context context = vertx.getOrCreateContext();
    Promise<GroupMember> joined = Promise.promise();
    context.runOnContext(v -> {
      MessageConsumer<Object> consumer = vertx.eventBus().consumer(Addresses.group(group.getName()));
      consumer.handler(onEvent);
      GroupMember member = new GroupMember(vertx, context, journal, group, consumer);
      consumer.completion().onComplete(ar -> {
        if (ar.failed()) {
          joined.fail(CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        } else {
          member.compete();
          joined.complete(member);
        }
      });
    });
    return joined.future();
  }

  /** Competes for leadership until it wins or leaves. Runs on the member's context. */
  private void compete() {
    if (left) {
      return;
    }
    vertx.sharedData().getLockWithTimeout(lockName, LOCK_WAIT_MILLIS).onComplete(ar -> {
      if (left) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      if (ar.failed()) {
        compete();
        return;
      }
      lock = ar.result();
      dispatcher = new GroupDispatcher(vertx, context, journal, options, consumer.address());
      dispatcher.start().onFailure(failure -> {
        // Could not load the checkpoint: give the lock back and let anyone try again.
        dispatcher = null;
        lock.release();
        lock = null;
        vertx.setTimer(options.getInitialBackoff().toMillis(), t -> compete());
      });
    });
  }

  @Override
  public String type() {
    return options.getName();
  }

  @Override
  public String kind() {
    return Kind.GROUP_MEMBER.label();
  }

  @Override
  public Future<Void> ready() {
    return consumer.completion();
  }

  /** Leaves the group: stops dispatching (saving the checkpoint), gives the lock back, stops consuming. */
  @Override
  public Future<Void> unregister() {
    Promise<Void> done = Promise.promise();
    // Inline when already on the context: a verticle's stop() runs there while it undeploys.
    VertxInternals.runOn(VertxInternals.root(context), () -> {
      left = true;
      Future<Void> stopped = dispatcher == null ? Future.succeededFuture() : dispatcher.stop();
      stopped.eventually(() -> {
        if (lock != null) {
          lock.release();
          lock = null;
        }
        dispatcher = null;
        return consumer.unregister();
      }).onComplete(done);
    });
    return done.future();
  }
}
