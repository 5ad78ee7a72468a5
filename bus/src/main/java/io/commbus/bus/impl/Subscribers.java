package io.commbus.bus.impl;

import io.commbus.bus.BusStats;
import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.PayloadMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Live subscribers to events: each receives every event of its type published on any node. A
 * subscriber that throws is counted and logged; the others still receive the event.
 */
final class Subscribers {

  private static final System.Logger LOG = System.getLogger(CommBus.class.getName());

  private final EventBus eventBus;
  private final PayloadMapper payloads;
  private final MessageTypes types;
  private final Tracing tracing;
  private final BusStats stats;
  private final Map<String, List<LocalRegistration>> subscriptions = new ConcurrentHashMap<>();

  Subscribers(BusCore core) {
    this.eventBus = core.eventBus;
    this.payloads = core.payloads;
    this.types = core.types;
    this.tracing = core.tracing;
    this.stats = core.stats;
  }

  <E> Registration subscribe(Class<E> eventType, Handler<E> handler) {
    MessageTypes.TypeInfo info = types.of(eventType);
    return add(info.name, (raw, headers) -> handler.handle(payloads.decode(raw.body(), headers.wrapped, info.javaType)));
  }

  Registration subscribe(String eventType, Handler<Message> handler) {
    return add(eventType, (raw, headers) -> handler.handle(headers.live(payloads, raw.body(), eventType,
        Category.EVENT)));
  }

  private Registration add(String type, BiConsumer<io.vertx.core.eventbus.Message<Object>, ReceivedHeaders> deliver) {
    MessageConsumer<Object> consumer = eventBus.consumer(Addresses.event(type));
    LocalRegistration[] self = new LocalRegistration[1];
    // The type's list goes when its last subscriber does: types seen once leave nothing behind.
    self[0] = new LocalRegistration(type, Registration.Kind.SUBSCRIBER, consumer,
        () -> subscriptions.computeIfPresent(type, (t, now) -> now.remove(self[0]) && now.isEmpty() ? null : now));
    consumer.handler(raw -> {
      ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
      Span span = tracing.startIncoming("receive", type, SpanKind.CONSUMER, headers);
      try (Scope ignored = tracing.enter(span, headers)) {
        deliver.accept(raw, headers);
      } catch (Throwable failure) {
        stats.subscriberFailed(type);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure));
        LOG.log(System.Logger.Level.WARNING, "subscriber of " + type + " failed on event " + headers.id(), failure);
      } finally {
        span.end();
      }
    });
    // Added inside compute, so a last subscriber's removal cannot drop the list between the two.
    subscriptions.compute(type, (t, now) -> {
      List<LocalRegistration> list = now != null ? now : new CopyOnWriteArrayList<>();
      list.add(self[0]);
      return list;
    });
    return self[0];
  }

  /** This bus's subscriptions to {@code type}. */
  List<Registration> of(String type) {
    List<LocalRegistration> list = subscriptions.get(type);
    return list == null ? List.of() : List.copyOf(list);
  }

  /** Adds every type that has a subscriber now to {@code into}. */
  void addTypes(Set<String> into) {
    subscriptions.forEach((type, list) -> {
      if (!list.isEmpty()) {
        into.add(type);
      }
    });
  }

  /** Unregisters every subscriber; the futures complete as each one is gone. */
  List<Future<Void>> close() {
    List<Future<Void>> pending = new ArrayList<>();
    subscriptions.values().forEach(list -> new ArrayList<>(list).forEach(reg -> pending.add(reg.unregister())));
    return pending;
  }
}
