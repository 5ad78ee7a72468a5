package io.commbus.bus;

import io.commbus.bus.impl.VertxCommBus;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.middleware.Middleware;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The message bus: {@code publish} events to every subscriber, {@code send} commands to one
 * handler, {@code query} one handler for a reply or a stream of replies. Built on the Vert.x
 * event bus, so it works the same in one JVM and across a cluster.
 *
 * <p>Messages are Java objects ({@link Event}, {@link Command}, {@link Query}, named by
 * {@link MessageType} or their simple class name) or untyped {@link Message}s. Every call
 * returns a {@link Future}; failures are {@link io.commbus.bus.error.CommBusException}s with a
 * stable code. All methods may be called from any thread.
 */
public interface CommBus {

  /** A bus on {@code vertx} with default options. */
  static CommBus create(Vertx vertx) {
    return create(vertx, new CommBusOptions());
  }

  /** A bus on {@code vertx}. Several buses may share one Vert.x instance and its event bus. */
  static CommBus create(Vertx vertx, CommBusOptions options) {
    return new VertxCommBus(vertx, options);
  }

  /**
   * Publishes an event to every subscriber on every node. With a journal
   * ({@link CommBusOptions#setJournal}) the event is appended first and delivered only once the
   * append is durable; the future completes with its journal position. An event whose id the
   * journal already holds (a retry, see {@link Message#withId}) completes with the original
   * position and is not delivered again. Without a journal it completes with 0 once the event
   * is handed to the event bus. Subscriber failures are logged and counted, never reported here.
   */
  Future<Long> publish(Object event);

  /**
   * Sends a command to its one handler. Completes once the handler's node has received it,
   * without waiting for the handling; fails with NO_HANDLER if nobody handles its type.
   */
  Future<Void> send(Object command);

  /** Asks the handler of {@code query} for its reply, waiting the default query timeout. */
  <R> Future<R> query(Query<R> query);

  /** Asks the handler of {@code query} for its reply, waiting at most {@code timeout}. */
  <R> Future<R> query(Query<R> query, Duration timeout);

  /** Untyped query; the reply is a message of the same type. */
  Future<Message> query(Message query);

  /** Untyped query with a timeout. */
  Future<Message> query(Message query, Duration timeout);

  /**
   * Asks for a stream of replies. Completes when the handler has accepted the query; a handler
   * that replies with one value gives a stream of one. {@code timeout} bounds the wait for
   * the stream to open and, unless {@link CommBusOptions#setStreamIdleTimeout} says otherwise,
   * for each following item.
   */
  <R> Future<QueryStream<R>> queryStream(Query<R> query, Duration timeout);

  /** {@link #queryStream(Query, Duration)} with the default query timeout. */
  <R> Future<QueryStream<R>> queryStream(Query<R> query);

  /** Untyped stream; each item's body is a JSON object, bytes or a plain JSON value. */
  Future<QueryStream<Message>> queryStream(Message query, Duration timeout);

  /** Untyped stream with the default query timeout. */
  Future<QueryStream<Message>> queryStream(Message query);

  /**
   * Subscribes to events of a Java type. Handler errors are logged and counted and do not
   * affect other subscribers. Use {@link Registration#ready()} before relying on events
   * published by other nodes.
   */
  <E> Registration subscribe(Class<E> eventType, Handler<E> handler);

  /** Subscribes to events of a type name, received untyped. */
  Registration subscribe(String eventType, Handler<Message> handler);

  /**
   * Replays the journal from {@code fromPosition} (inclusive), then keeps delivering events as
   * they are appended, in position order, with no gap and no duplicate, even while events are
   * being published. {@code eventType} null means every type. Requires a journal
   * ({@link CommBusOptions#setJournal}); fails the registration's {@code ready()} with
   * IllegalStateException otherwise.
   * The handler runs on the caller's context, one event at a time; a handler that throws is
   * counted and logged, and delivery goes on. The handler may {@linkplain JournalFollow#pause()
   * pause} the registration to hold delivery back.
   */
  JournalFollow subscribeFrom(String eventType, long fromPosition, Handler<Message> handler);

  /**
   * {@link #subscribeFrom(String, long, Handler)} for several event types, in one position
   * order; an empty set means every type.
   */
  JournalFollow subscribeFrom(java.util.Set<String> eventTypes, long fromPosition, Handler<Message> handler);

  /**
   * Joins a durable consumer group: the group's events (from the journal, after the group's
   * checkpoint) are shared among its members on every node, each event to one member. The
   * handler acknowledges an event by completing its future; a failure is retried with
   * exponential backoff and, after {@code maxAttempts}, parked in the group's dead-letter
   * stream (journal type {@link ConsumerGroupOptions#deadLetterType()}). The checkpoint is saved
   * as events are settled, so a group that restarts resumes after it: delivery is at least
   * once, and events may reach members out of order. Requires a journal: fails with
   * IllegalStateException otherwise.
   */
  <R> Future<Registration> joinGroup(ConsumerGroupOptions group, MessageHandler<Message, R> handler);

  /**
   * Registers the handler of a command or query type. Fails with DUPLICATE_HANDLER if this bus
   * already has one for the type. The same type registered on several nodes forms a group:
   * each message goes to one of them, in turn. Completes once the handler is known across the
   * cluster. A blank type fails with IllegalArgumentException.
   */
  <T, R> Future<Registration> registerHandler(Class<T> type, MessageHandler<T, R> handler);

  /** Registers an untyped handler; it may reply with a Message, a JsonObject, a Buffer or any Java value. */
  <R> Future<Registration> registerHandler(String type, MessageHandler<Message, R> handler);

  /** Registers a handler that answers a query type with a stream of its reply type. */
  <T, Q extends Query<T>> Future<Registration> registerStreamHandler(Class<Q> type, StreamHandler<Q, T> handler);

  /** Registers an untyped stream handler; each item may be a JsonObject, a Buffer or any Java value. */
  Future<Registration> registerStreamHandler(String type, StreamHandler<Message, Object> handler);

  /** Adds middleware to the end of the chain. */
  CommBus addMiddleware(Middleware middleware);

  /** True if this bus has a handler registered for the type. */
  boolean hasHandler(String type);

  /** This bus's subscriptions to an event type. */
  List<Registration> subscribers(String type);

  /** Every type this bus has a handler or a subscriber for. */
  Set<String> registeredTypes();

  /** Failures this bus's subscribers and handlers reported. */
  BusStats stats();

  /** The wire type name of a Java message class. */
  String typeName(Class<?> messageClass);

  /**
   * Unregisters everything this bus registered, journal subscriptions and group memberships
   * included (a dispatching member saves its checkpoint first). The Vert.x instance and the
   * journal are left running.
   */
  Future<Void> close();
}
