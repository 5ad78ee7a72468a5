package io.commbus.bus.impl;

import io.commbus.bus.Registration;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.concurrent.atomic.AtomicBoolean;

/** A registration backed by one event-bus consumer; forgets itself from the bus on unregister. */
final class LocalRegistration implements Registration {

  private final String type;
  private final Kind kind;
  private final MessageConsumer<Object> consumer;
  private final Runnable forget;
  private final AtomicBoolean unregistered = new AtomicBoolean();

  LocalRegistration(String type, Kind kind, MessageConsumer<Object> consumer, Runnable forget) {
    this.type = type;
    this.kind = kind;
    this.consumer = consumer;
    this.forget = forget;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String kind() {
    return kind.label();
  }

  @Override
  public Future<Void> ready() {
    return consumer.completion();
  }

  @Override
  public Future<Void> unregister() {
    if (!unregistered.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    forget.run();
    return consumer.unregister();
  }

  @Override
  public String toString() {
    return kind.label() + " " + type;
  }
}
