package io.commbus.bus.journal.group;

import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.DispatchLease;
import io.commbus.bus.journal.DispatchLeases;
import io.commbus.bus.journal.EventJournal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * One member of a consumer group on this bus: it consumes the group's address, and competes
 * for the group's {@link DispatchLease}; while it holds the lease it also runs the group's
 * dispatcher. The leases decide across every node (a cluster-wide lock by default, a lease row
 * in the database with the PostgreSQL journal), so one dispatcher runs per group, and when its
 * holder goes away another member takes over from the saved checkpoint. Internal,
 * not API: public only so that the bus's implementation can join a group.
 */
public final class GroupMember implements Registration {

  private static final System.Logger LOG = System.getLogger(GroupMember.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final EventJournal journal;
  private final ConsumerGroupOptions options;
  private final MessageConsumer<Object> consumer;
  private final DispatchLeases leases;
  private GroupDispatcher dispatcher;
  private DispatchLease lease;
  private boolean left;
  /** The last reason the lease could not be asked for, so a lasting one is logged once. */
  private String lastProblem;

  private GroupMember(Vertx vertx, Context context, EventJournal journal, ConsumerGroupOptions options,
                      MessageConsumer<Object> consumer) {
    this.vertx = vertx;
    this.context = context;
    this.journal = journal;
    this.options = options;
    this.consumer = consumer;
    this.leases = options.getLeases() != null ? options.getLeases() : new SharedDataLeases(vertx);
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

  /** Competes for the group's lease until it wins or leaves. Runs on the member's context. */
  private void compete() {
    if (left) {
      return;
    }
    leases.acquire(options.getName()).onComplete(ar -> VertxInternals.runOn(VertxInternals.root(context), () -> {
      if (left) {
        if (ar.succeeded()) {
          ar.result().release();
        }
        return;
      }
      if (ar.failed()) {
        // Held by another member: the usual case for all but one, said nothing of. Anything else
        // (the lease store unreachable, refused) leaves the group without a dispatcher: said once.
        boolean heldElsewhere = ar.cause() instanceof CommBusException
            && ((CommBusException) ar.cause()).code() == ErrorCode.UNAVAILABLE;
        String problem = heldElsewhere ? null : String.valueOf(ar.cause().getMessage());
        if (problem != null && !problem.equals(lastProblem)) {
          LOG.log(System.Logger.Level.WARNING, "group " + options.getName() + " could not ask for its dispatch lease: "
              + problem);
        }
        lastProblem = problem;
        vertx.setTimer(Math.max(1, leases.retryDelay().toMillis()), t -> compete());
        return;
      }
      lastProblem = null;
      DispatchLease won = ar.result();
      lease = won;
      GroupDispatcher started = new GroupDispatcher(vertx, context, journal, options, consumer.address(), won);
      dispatcher = started;
      // A lease lost (taken over, unrenewable) ends this dispatcher; then compete again.
      won.lost().onComplete(gone -> VertxInternals.runOn(VertxInternals.root(context), () -> {
        if (dispatcher == started) {
          dispatcher = null;
          lease = null;
          started.stop();
          compete();
        }
      }));
      started.start().onFailure(failure -> {
        // Could not load the checkpoint: give the lease back and let anyone try again.
        if (dispatcher == started) {
          dispatcher = null;
          lease = null;
          won.release();
          vertx.setTimer(options.getInitialBackoff().toMillis(), t -> compete());
        }
      });
    }));
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
      GroupDispatcher stopping = dispatcher;
      DispatchLease held = lease;
      dispatcher = null;
      lease = null;
      Future<Void> stopped = stopping == null ? Future.succeededFuture() : stopping.stop();
      stopped.eventually(() -> held == null ? Future.succeededFuture() : held.release())
          .eventually(consumer::unregister).onComplete(done);
    });
    return done.future();
  }
}
