package io.commbus.bus.impl;

import io.commbus.bus.BusStats;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.JournalFollow;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Query;
import io.commbus.bus.QueryStream;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamHandler;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.middleware.Middleware;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link CommBus} on the Vert.x event bus: a facade over one part per kind of exchange.
 * {@link Outbound} makes the calls (publish, send, query, streamed query), {@link HandlerDispatch}
 * answers them, {@link Subscribers} receives live events and {@link JournalConsumers} replays
 * the journal and shares consumer groups' events. See docs/wire-format.md for what travels.
 */
public final class VertxCommBus implements CommBus {

  private final CommBusOptions options;
  private final BusCore core;
  private final Outbound outbound;
  private final HandlerDispatch handlers;
  private final Subscribers subscribers;
  private final JournalConsumers journalConsumers;

  public VertxCommBus(Vertx vertx, CommBusOptions options) {
    this.core = new BusCore(vertx, options);
    this.options = core.options;
    this.outbound = new Outbound(core);
    this.handlers = new HandlerDispatch(core);
    this.subscribers = new Subscribers(core);
    this.journalConsumers = new JournalConsumers(core);
  }

  // ---------------------------------------------------------------- calls

  @Override
  public Future<Long> publish(Object event) {
    return outbound.publish(event);
  }

  @Override
  public Future<Void> send(Object command) {
    return outbound.send(command);
  }

  @Override
  public <R> Future<R> query(Query<R> query) {
    return outbound.query(query, options.getQueryTimeout());
  }

  @Override
  public <R> Future<R> query(Query<R> query, Duration timeout) {
    return outbound.query(query, timeout);
  }

  @Override
  public Future<Message> query(Message query) {
    return outbound.query(query, options.getQueryTimeout());
  }

  @Override
  public Future<Message> query(Message query, Duration timeout) {
    return outbound.query(query, timeout);
  }

  @Override
  public <R> Future<QueryStream<R>> queryStream(Query<R> query) {
    return outbound.queryStream(query, options.getQueryTimeout());
  }

  @Override
  public <R> Future<QueryStream<R>> queryStream(Query<R> query, Duration timeout) {
    return outbound.queryStream(query, timeout);
  }

  @Override
  public Future<QueryStream<Message>> queryStream(Message query) {
    return outbound.queryStream(query, options.getQueryTimeout());
  }

  @Override
  public Future<QueryStream<Message>> queryStream(Message query, Duration timeout) {
    return outbound.queryStream(query, timeout);
  }

  // ---------------------------------------------------------------- receiving

  @Override
  public <E> Registration subscribe(Class<E> eventType, Handler<E> handler) {
    return subscribers.subscribe(eventType, handler);
  }

  @Override
  public Registration subscribe(String eventType, Handler<Message> handler) {
    return subscribers.subscribe(eventType, handler);
  }

  @Override
  public JournalFollow subscribeFrom(String eventType, long fromPosition, Handler<Message> handler) {
    return subscribeFrom(eventType == null ? Set.of() : Set.of(eventType), fromPosition, handler);
  }

  @Override
  public JournalFollow subscribeFrom(Set<String> eventTypes, long fromPosition, Handler<Message> handler) {
    return journalConsumers.subscribeFrom(eventTypes, fromPosition, handler);
  }

  @Override
  public <R> Future<Registration> joinGroup(ConsumerGroupOptions group, MessageHandler<Message, R> handler) {
    return journalConsumers.joinGroup(group, handler);
  }

  @Override
  public <T, R> Future<Registration> registerHandler(Class<T> type, MessageHandler<T, R> handler) {
    return handlers.registerHandler(type, handler);
  }

  @Override
  public <R> Future<Registration> registerHandler(String type, MessageHandler<Message, R> handler) {
    return handlers.registerHandler(type, handler);
  }

  @Override
  public <T, Q extends Query<T>> Future<Registration> registerStreamHandler(Class<Q> type,
                                                                          StreamHandler<Q, T> handler) {
    return handlers.registerStreamHandler(type, handler);
  }

  @Override
  public Future<Registration> registerStreamHandler(String type, StreamHandler<Message, Object> handler) {
    return handlers.registerStreamHandler(type, handler);
  }

  // ---------------------------------------------------------------- the rest

  @Override
  public CommBus addMiddleware(Middleware middleware) {
    core.chain.add(middleware);
    return this;
  }

  @Override
  public boolean hasHandler(String type) {
    return handlers.hasHandler(type);
  }

  @Override
  public List<Registration> subscribers(String type) {
    return subscribers.of(type);
  }

  @Override
  public Set<String> registeredTypes() {
    Set<String> typesSeen = new TreeSet<>(handlers.types());
    subscribers.addTypes(typesSeen);
    return typesSeen;
  }

  @Override
  public BusStats stats() {
    return core.stats;
  }

  @Override
  public String typeName(Class<?> messageClass) {
    return core.types.of(messageClass).name;
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> pending = new ArrayList<>(handlers.close());
    pending.addAll(subscribers.close());
    pending.addAll(journalConsumers.close());
    if (core.departures != null) {
      core.departures.close();
    }
    return Future.all(pending).mapEmpty();
  }
}
