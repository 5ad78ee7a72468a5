package io.commbus.bus.impl;

import io.commbus.bus.BusStats;
import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.JournalFollow;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.group.GroupMember;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Consumers of the journal: subscriptions that replay it from a position and follow it, and
 * memberships of durable consumer groups. Both need the bus to have a journal.
 */
final class JournalConsumers {

  private static final System.Logger LOG = System.getLogger(CommBus.class.getName());

  private final Vertx vertx;
  private final CommBusOptions options;
  private final PayloadMapper payloads;
  private final Tracing tracing;
  private final BusStats stats;
  /** Journal subscriptions and group memberships, so close() stops them too. */
  private final List<Registration> registrations = new CopyOnWriteArrayList<>();

  JournalConsumers(BusCore core) {
    this.vertx = core.vertx;
    this.options = core.options;
    this.payloads = core.payloads;
    this.tracing = core.tracing;
    this.stats = core.stats;
  }

  /** Fails the registration's {@code ready()} with IllegalStateException when the bus has no journal. */
  JournalFollow subscribeFrom(Set<String> eventTypes, long fromPosition, Handler<Message> handler) {
    EventJournal journal = options.getJournal();
    String statsType = JournalSubscription.describe(eventTypes);
    if (journal == null) {
      return new FailedRegistration(statsType, Registration.Kind.JOURNAL_SUBSCRIBER,
          new IllegalStateException("subscribeFrom needs a journal: set CommBusOptions.setJournal"));
    }
    JournalSubscription subscription = new JournalSubscription(vertx.getOrCreateContext(), journal, eventTypes,
        fromPosition, record -> ReceivedHeaders.of(record.event().headers()).replayed(payloads, record), handler,
        failure -> {
          stats.subscriberFailed(statsType);
          LOG.log(System.Logger.Level.WARNING, "journal subscriber of " + statsType + " failed", failure);
        });
    registrations.add(subscription);
    // Forgotten once unregistered: a bus that many short-lived subscribers pass through keeps none.
    subscription.onUnregistered(() -> registrations.remove(subscription));
    return subscription.start();
  }

  /** Fails with IllegalStateException when the bus has no journal. */
  <R> Future<Registration> joinGroup(ConsumerGroupOptions group, MessageHandler<Message, R> handler) {
    EventJournal journal = options.getJournal();
    if (journal == null) {
      return Future.failedFuture(new IllegalStateException(
          "consumer groups need a journal: set CommBusOptions.setJournal"));
    }
    if (group.getCheckpoints() == null) {
      return Future.failedFuture(new IllegalArgumentException("group " + group.getName()
          + " has no checkpoint store: set ConsumerGroupOptions.setCheckpoints"));
    }
    return GroupMember.join(vertx, journal, group, raw -> onGroupEvent(group.getName(), raw, handler))
        .map(member -> {
          registrations.add(member);
          return member;
        });
  }

  /** A member's share of the group's work: handle the event, then acknowledge or refuse it. */
  private <R> void onGroupEvent(String group, io.vertx.core.eventbus.Message<Object> raw,
                                MessageHandler<Message, R> handler) {
    ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
    Envelope envelope = headers.envelope();
    String type = envelope != null ? envelope.type : group;
    Span span = tracing.startIncoming("consume", type, SpanKind.CONSUMER, headers);
    Future<?> outcome;
    try (Scope ignored = tracing.enter(span, headers)) {
      outcome = HandlerDispatch.invoke(handler, headers.live(payloads, raw.body(), type, Category.EVENT));
    } catch (CommBusException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        raw.reply(null);
      } else {
        stats.handlerFailed(group);
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
        Replies.error(raw, CommBusException.wrap(ar.cause(), ErrorCode.HANDLER_FAILED));
      }
      span.end();
    });
  }

  /** Stops every subscription and leaves every group; the futures complete as each one is done. */
  List<Future<Void>> close() {
    List<Future<Void>> pending = new ArrayList<>();
    registrations.forEach(reg -> pending.add(reg.unregister()));
    registrations.clear();
    return pending;
  }
}
