package io.commbus.bus.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.commbus.bus.BusStats;
import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Query;
import io.commbus.bus.QueryStream;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamHandler;
import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.HandlerFailedException;
import io.commbus.bus.error.NoHandlerException;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.commbus.bus.middleware.Middleware;
import io.commbus.bus.middleware.MiddlewareContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/** {@link CommBus} on the Vert.x event bus. See docs/wire-format.md for what travels. */
public final class VertxCommBus implements CommBus {

  private static final System.Logger LOG = System.getLogger(CommBus.class.getName());

  private final Vertx vertx;
  private final EventBus eventBus;
  private final CommBusOptions options;
  private final MiddlewareChain chain = new MiddlewareChain();
  private final PayloadMapper payloads = new PayloadMapper();
  private final MessageTypes types = new MessageTypes(payloads.mapper().getTypeFactory());
  private final Tracing tracing;
  private final BusStats stats = new BusStats();
  private final Map<String, LocalRegistration> handlers = new ConcurrentHashMap<>();
  private final Map<String, List<LocalRegistration>> subscriptions = new ConcurrentHashMap<>();
  /** Journal subscriptions and group memberships, so close() stops them too. */
  private final List<Registration> journalRegistrations = new CopyOnWriteArrayList<>();

  public VertxCommBus(Vertx vertx, CommBusOptions options) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.options = new CommBusOptions(options);
    this.tracing = new Tracing(this.options.getOpenTelemetry());
  }

  // ---------------------------------------------------------------- calls

  /** One call in flight: what it sends and what middleware may see and change. */
  private final class Call {
    final String id;
    final long sentMillis = System.currentTimeMillis();
    final String type;
    final Category category;
    /** The message's own metadata until middleware runs; then the context's mutable map. */
    Map<String, String> metadata;
    Object message;
    MiddlewareContext context;

    Call(String id, String type, Category category, Map<String, String> metadata, Object message) {
      this.id = id != null ? id : Ids.messageId();
      this.type = type;
      this.category = category;
      this.metadata = metadata;
      this.message = message;
    }

    MiddlewareContext context() {
      if (context == null) {
        metadata = new HashMap<>(metadata);
        context = new MiddlewareContext(id, type, category, Instant.ofEpochMilli(sentMillis), metadata, message);
      }
      return context;
    }

    /** Headers for the event bus; the body is encoded separately. */
    DeliveryOptions delivery(Span span, Duration timeout) {
      long deadline = 0;
      DeliveryOptions delivery = new DeliveryOptions();
      if (timeout != null) {
        delivery.setSendTimeout(timeout.toMillis());
        if (category == Category.QUERY) {
          deadline = sentMillis + timeout.toMillis();
        }
      }
      delivery.addHeader(Wire.ENVELOPE, new Envelope(category, id, sentMillis, deadline, type).format());
      if (!metadata.isEmpty()) {
        for (Map.Entry<String, String> entry : metadata.entrySet()) {
          if (Wire.isReserved(entry.getKey())) {
            throw new CommBusException(ErrorCode.INVALID_MESSAGE, "metadata key '" + entry.getKey()
                + "' is reserved (cb-*, traceparent, tracestate)");
          }
          delivery.addHeader(entry.getKey(), entry.getValue());
        }
      }
      tracing.inject(span, delivery);
      return delivery;
    }
  }

  /** Describes a message for a verb, checking that the verb fits the message's category. */
  private Call call(Object message, Category verb) {
    if (message == null) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verbName(verb) + " null");
    }
    if (message instanceof Message) {
      Message untyped = (Message) message;
      if (untyped.category() != verb) {
        throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verbName(verb) + " a "
            + untyped.category().wireName() + " (" + untyped.type() + ")");
      }
      return new Call(untyped.id(), untyped.type(), verb, untyped.metadata(), message);
    }
    MessageTypes.TypeInfo info = types.of(message.getClass());
    if (info.category != null && info.category != verb) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verbName(verb) + " " + info.name
          + ": it is a " + info.category.wireName());
    }
    return new Call(null, info.name, verb, Map.of(), message);
  }

  private static String verbName(Category verb) {
    switch (verb) {
      case EVENT:
        return "publish";
      case COMMAND:
        return "send";
      default:
        return "query";
    }
  }

  /**
   * Describes {@code message} for {@code verb} and runs the middleware chain around
   * {@code dispatch}, straight through when the chain is empty. Errors become failed futures.
   */
  @SuppressWarnings("unchecked")
  private <T> Future<T> perform(Object message, Category verb, BiFunction<Call, Object, Future<T>> dispatch) {
    Call call;
    try {
      call = call(message, verb);
      if (chain.isEmpty()) {
        return dispatch.apply(call, message);
      }
    } catch (CommBusException e) {
      return Future.failedFuture(e);
    }
    MiddlewareContext ctx = call.context();
    return chain.before(ctx, message).compose(replacement -> {
      call.message = replacement;
      Future<T> outcome;
      try {
        outcome = dispatch.apply(call, replacement);
      } catch (CommBusException e) {
        outcome = Future.failedFuture(e);
      }
      return outcome.transform(ar -> (Future<T>) (Future<?>) chain.after(ctx, replacement, ar.result(), ar.cause()));
    });
  }

  private PayloadMapper.Body bodyOf(Object message) {
    return message instanceof Message ? new PayloadMapper.Body(((Message) message).body(), false)
        : payloads.encode(message);
  }

  @Override
  public Future<Long> publish(Object event) {
    EventJournal journal = options.getJournal();
    return perform(event, Category.EVENT, (call, message) -> {
      Span span = tracing.startOutgoing("publish", call.type, SpanKind.PRODUCER);
      Future<Long> published;
      try {
        PayloadMapper.Body body = bodyOf(message);
        DeliveryOptions delivery = call.delivery(span, null);
        wrapped(delivery, body);
        published = journal == null ? deliver(call, body, delivery, 0) : journal.append(journalEvent(call, body, delivery))
            .compose(appended -> appended.duplicate() ? Future.succeededFuture(appended.position())
                : deliver(call, body, delivery, appended.position()));
      } catch (CommBusException e) {
        published = Future.failedFuture(e);
      }
      return published.onComplete(ar -> {
        if (ar.failed()) {
          span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
        }
        span.end();
      });
    });
  }

  private Future<Long> deliver(Call call, PayloadMapper.Body body, DeliveryOptions delivery, long position) {
    if (position > 0) {
      delivery.addHeader(Wire.POSITION, Long.toString(position));
    }
    eventBus.publish(Addresses.event(call.type), body.body, delivery);
    return Future.succeededFuture(position);
  }

  /** The event as the journal stores it: the same id, type, time, headers and body it travels with. */
  private static JournalEvent journalEvent(Call call, PayloadMapper.Body body, DeliveryOptions delivery) {
    Map<String, String> headers = new HashMap<>();
    delivery.getHeaders().forEach(headers::put);
    return new JournalEvent(call.id, call.type, call.sentMillis, headers, body.body);
  }

  @Override
  public Future<Void> send(Object command) {
    Duration timeout = options.getSendTimeout();
    return perform(command, Category.COMMAND,
        (call, message) -> request(call, message, "send", SpanKind.PRODUCER, timeout, reply -> null));
  }

  @Override
  public <R> Future<R> query(Query<R> query) {
    return query(query, options.getQueryTimeout());
  }

  @Override
  public <R> Future<R> query(Query<R> query, Duration timeout) {
    return perform(query, Category.QUERY, (call, message) -> {
      JavaType replyType = types.of(query.getClass()).replyType;
      return request(call, message, "query", SpanKind.CLIENT, timeout,
          reply -> payloads.<R>decode(reply.body(), isWrapped(reply), replyType));
    });
  }

  @Override
  public Future<Message> query(Message query) {
    return query(query, options.getQueryTimeout());
  }

  @Override
  public Future<Message> query(Message query, Duration timeout) {
    return perform(query, Category.QUERY,
        (call, message) -> request(call, message, "query", SpanKind.CLIENT, timeout, reply -> toReply(reply, call.type)));
  }

  /**
   * A request/reply exchange. The reply is decoded in the same step that maps failures, so a
   * query costs one future beyond the event bus's own.
   */
  private <T> Future<T> request(Call call, Object message, String verb, SpanKind kind, Duration timeout,
                                Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    Span span = tracing.startOutgoing(verb, call.type, kind);
    PayloadMapper.Body body;
    DeliveryOptions delivery;
    try {
      body = bodyOf(message);
      delivery = call.delivery(span, timeout);
    } catch (CommBusException e) {
      span.end();
      return Future.failedFuture(e);
    }
    wrapped(delivery, body);
    return eventBus.<Object>request(Addresses.handler(call.type), body.body, delivery)
        .transform(ar -> {
          if (ar.succeeded()) {
            try {
              return Future.succeededFuture(decoder.apply(ar.result()));
            } catch (CommBusException e) {
              span.setStatus(StatusCode.ERROR, e.toString());
              return Future.failedFuture(e);
            } finally {
              span.end();
            }
          }
          CommBusException error = replyFailure(ar.cause(), call.type, timeout);
          span.setStatus(StatusCode.ERROR, error.toString());
          span.end();
          return Future.failedFuture(error);
        });
  }

  /** Maps an event-bus failure to the bus's error codes. */
  private static CommBusException replyFailure(Throwable failure, String type, Duration timeout) {
    if (failure instanceof ReplyException) {
      ReplyException reply = (ReplyException) failure;
      switch (reply.failureType()) {
        case NO_HANDLERS:
          return new NoHandlerException("no handler for " + type);
        case TIMEOUT:
          return new BusTimeoutException("no reply for " + type + " within " + timeout.toMillis() + " ms");
        case RECIPIENT_FAILURE:
          if (reply.failureCode() == Wire.ERROR_REPLY_CODE) {
            try {
              return CommBusException.fromJson(new JsonObject(reply.getMessage()));
            } catch (RuntimeException malformed) {
              return new CommBusException(ErrorCode.PROTOCOL, "malformed error reply: " + reply.getMessage());
            }
          }
          // A consumer outside commbus failed the message the plain Vert.x way.
          return new HandlerFailedException(reply.getMessage(), ReplyException.class.getName());
        default:
          break;
      }
    }
    return CommBusException.wrap(failure, ErrorCode.INTERNAL);
  }

  @Override
  public <R> Future<QueryStream<R>> queryStream(Query<R> query) {
    return queryStream(query, options.getQueryTimeout());
  }

  @Override
  public <R> Future<QueryStream<R>> queryStream(Query<R> query, Duration timeout) {
    // The class lookup is cached; perform() has checked the query before any item arrives.
    return openStream(query, timeout, frame -> payloads.decode(frame.body(), isWrapped(frame),
        types.of(query.getClass()).replyType));
  }


  @Override
  public Future<QueryStream<Message>> queryStream(Message query) {
    return queryStream(query, options.getQueryTimeout());
  }

  @Override
  public Future<QueryStream<Message>> queryStream(Message query, Duration timeout) {
    return openStream(query, timeout, frame -> toReply(frame, query.type()));
  }

  private <T> Future<QueryStream<T>> openStream(Object query, Duration timeout,
                                                Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    long idleMillis = (options.getStreamIdleTimeout() != null ? options.getStreamIdleTimeout() : timeout).toMillis();
    int window = options.getStreamWindow();
    return perform(query, Category.QUERY, (call, message) -> {
      Span span = tracing.startOutgoing("query", call.type, SpanKind.CLIENT);
      try {
        PayloadMapper.Body body = bodyOf(message);
        DeliveryOptions delivery = call.delivery(span, timeout);
        wrapped(delivery, body);
        String streamId = Ids.messageId();
        delivery.addHeader(Wire.MODE, Wire.MODE_STREAM)
            .addHeader(Wire.STREAM, streamId)
            .addHeader(Wire.CREDIT, Integer.toString(window))
            .addHeader(Wire.IDLE, Long.toString(idleMillis));
        StreamConsumer<T> stream = new StreamConsumer<>(vertx, vertx.getOrCreateContext(), streamId, window,
            idleMillis, decoder);
        return stream.open(Addresses.handler(call.type), body.body, delivery,
            failure -> replyFailure(failure, call.type, timeout));
      } catch (CommBusException e) {
        return Future.failedFuture(e);
      } finally {
        span.end();
      }
    });
  }

  private static void wrapped(DeliveryOptions delivery, PayloadMapper.Body body) {
    if (body.wrapped) {
      delivery.addHeader(Wire.WRAPPED, "1");
    }
  }

  /**
   * Whether a reply or stream item carries a wrapped plain value. Only a one-field object can
   * be one, so other bodies are answered without touching the headers, which the event bus
   * creates on first access.
   */
  private static boolean isWrapped(io.vertx.core.eventbus.Message<Object> raw) {
    Object body = raw.body();
    return body instanceof JsonObject && ((JsonObject) body).size() == 1 && ((JsonObject) body).containsKey("value")
        && raw.headers().contains(Wire.WRAPPED);
  }


  // ---------------------------------------------------------------- receiving

  /** An untyped view of a received event-bus message. */
  private Message toMessage(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers, String fallbackType,
                            Category fallback) {
    Envelope envelope = headers.envelope;
    Object body = payloads.decodeUntyped(raw.body(), headers.wrapped);
    if (envelope == null) {
      return Message.received(null, fallbackType, fallback, body, headers.metadata(), headers.traceparent, null, null,
          headers.position);
    }
    return Message.received(envelope.id, envelope.type, envelope.category, body, headers.metadata(),
        headers.traceparent, envelope.deadlineMillis > 0 ? Instant.ofEpochMilli(envelope.deadlineMillis) : null,
        Instant.ofEpochMilli(envelope.sentMillis), headers.position);
  }

  /** A reply or stream item: untyped, with the query's type. */
  private Message toReply(io.vertx.core.eventbus.Message<Object> raw, String type) {
    ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
    return Message.received(null, type, Category.QUERY, payloads.decodeUntyped(raw.body(), headers.wrapped),
        headers.metadata(), null, null, null, 0);
  }

  @Override
  public <E> Registration subscribe(Class<E> eventType, Handler<E> handler) {
    MessageTypes.TypeInfo info = types.of(eventType);
    return addSubscriber(info.name,
        (raw, headers) -> handler.handle(payloads.decode(raw.body(), headers.wrapped, info.javaType)));
  }

  @Override
  public Registration subscribe(String eventType, Handler<Message> handler) {
    return addSubscriber(eventType,
        (raw, headers) -> handler.handle(toMessage(raw, headers, eventType, Category.EVENT)));
  }

  @Override
  public Registration subscribeFrom(String eventType, long fromPosition, Handler<Message> handler) {
    return subscribeFrom(eventType == null ? Set.of() : Set.of(eventType), fromPosition, handler);
  }

  @Override
  public Registration subscribeFrom(Set<String> eventTypes, long fromPosition, Handler<Message> handler) {
    EventJournal journal = options.getJournal();
    String statsType = eventTypes.isEmpty() ? "*" : String.join(",", new TreeSet<>(eventTypes));
    if (journal == null) {
      return new FailedRegistration(statsType, "journal-subscriber", new CommBusException(ErrorCode.INVALID_MESSAGE,
          "subscribeFrom needs a journal: set CommBusOptions.setJournal"));
    }
    JournalSubscription subscription = new JournalSubscription(vertx.getOrCreateContext(), journal, eventTypes,
        fromPosition, this::toMessage, handler, failure -> {
          stats.subscriberFailed(statsType);
          LOG.log(System.Logger.Level.WARNING, "journal subscriber of " + statsType + " failed", failure);
        });
    journalRegistrations.add(subscription);
    return subscription.start();
  }

  @Override
  public <R> Future<Registration> joinGroup(ConsumerGroupOptions group, MessageHandler<Message, R> handler) {
    EventJournal journal = options.getJournal();
    if (journal == null) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE,
          "consumer groups need a journal: set CommBusOptions.setJournal"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<Registration> joined = Promise.promise();
    context.runOnContext(v -> {
      MessageConsumer<Object> consumer = eventBus.consumer(Addresses.group(group.getName()));
      consumer.handler(raw -> onGroupEvent(group.getName(), raw, handler));
      GroupMember member = new GroupMember(vertx, context, journal, group, consumer);
      consumer.completion().onComplete(ar -> {
        if (ar.failed()) {
          joined.fail(CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        } else {
          journalRegistrations.add(member);
          member.compete();
          joined.complete(member);
        }
      });
    });
    return joined.future();
  }

  /** A member's share of the group's work: handle the event, then acknowledge or refuse it. */
  private <R> void onGroupEvent(String group, io.vertx.core.eventbus.Message<Object> raw,
                                MessageHandler<Message, R> handler) {
    ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
    String type = headers.envelope != null ? headers.envelope.type : group;
    Span span = tracing.startIncoming("consume", type, SpanKind.CONSUMER, headers);
    Future<?> outcome;
    try (Scope ignored = tracing.enter(span, headers)) {
      outcome = invoke(handler, toMessage(raw, headers, type, Category.EVENT));
    } catch (CommBusException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        raw.reply(null);
      } else {
        stats.handlerFailed(group);
        span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
        replyError(raw, CommBusException.wrap(ar.cause(), ErrorCode.HANDLER_FAILED));
      }
      span.end();
    });
  }

  /** A replayed event as a message, as it was delivered live. */
  private Message toMessage(JournalRecord record) {
    JournalEvent event = record.event();
    Map<String, String> metadata = new HashMap<>();
    boolean wrapped = false;
    String traceparent = null;
    for (Map.Entry<String, String> header : event.headers().entrySet()) {
      if (Wire.WRAPPED.equals(header.getKey())) {
        wrapped = true;
      } else if (Wire.TRACEPARENT.equals(header.getKey())) {
        traceparent = header.getValue();
      } else if (!Wire.isReserved(header.getKey())) {
        metadata.put(header.getKey(), header.getValue());
      }
    }
    return Message.received(event.id(), event.type(), Category.EVENT, payloads.decodeUntyped(event.body(), wrapped),
        metadata, traceparent, null, Instant.ofEpochMilli(event.timestampMillis()), record.position());
  }

  private Registration addSubscriber(String type,
                                     BiConsumer<io.vertx.core.eventbus.Message<Object>, ReceivedHeaders> deliver) {
    MessageConsumer<Object> consumer = eventBus.consumer(Addresses.event(type));
    List<LocalRegistration> list = subscriptions.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
    LocalRegistration[] self = new LocalRegistration[1];
    self[0] = new LocalRegistration(type, "subscriber", consumer, () -> list.remove(self[0]));
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
    list.add(self[0]);
    return self[0];
  }

  /** Invokes a handler that answers with one value. */
  private interface SingleInvoker {
    Future<?> invoke(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers);
  }

  /** Invokes a handler that answers with a stream. */
  private interface StreamInvoker {
    void invoke(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers, StreamProducer<Object> sink);
  }

  /** How a registered handler is invoked: with one reply, or with a sink for a stream. */
  private static final class HandlerEntry {
    final SingleInvoker single;
    final StreamInvoker streaming;

    HandlerEntry(SingleInvoker single, StreamInvoker streaming) {
      this.single = single;
      this.streaming = streaming;
    }
  }

  @Override
  public <T, R> Future<Registration> registerHandler(Class<T> type, MessageHandler<T, R> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, "handler", new HandlerEntry((raw, headers) -> invoke(handler,
        payloads.decode(raw.body(), headers.wrapped, info.javaType)), null));
  }

  @Override
  public <R> Future<Registration> registerHandler(String type, MessageHandler<Message, R> handler) {
    return register(type, "handler", new HandlerEntry((raw, headers) -> invoke(handler,
        toMessage(raw, headers, type, Category.QUERY)), null));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, Q extends Query<T>> Future<Registration> registerStreamHandler(Class<Q> type,
                                                                          StreamHandler<Q, T> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, "stream-handler", new HandlerEntry(null, (raw, headers, sink) -> {
      Q query = payloads.decode(raw.body(), headers.wrapped, info.javaType);
      try {
        handler.handle(query, (StreamProducer<T>) (StreamProducer<?>) sink);
      } catch (Exception e) {
        sink.fail(e);
      }
    }));
  }

  @Override
  public Future<Registration> registerStreamHandler(String type, StreamHandler<Message, Object> handler) {
    return register(type, "stream-handler", new HandlerEntry(null, (raw, headers, sink) -> {
      try {
        handler.handle(toMessage(raw, headers, type, Category.QUERY), sink);
      } catch (Exception e) {
        sink.fail(e);
      }
    }));
  }

  private static <T> Future<?> invoke(MessageHandler<T, ?> handler, T message) {
    try {
      Future<?> result = handler.handle(message);
      return result == null ? Future.succeededFuture() : result;
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Registration> register(String type, String kind, HandlerEntry entry) {
    if (type == null || type.isBlank()) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "a handler needs a non-blank type"));
    }
    MessageConsumer<Object> consumer = eventBus.consumer(Addresses.handler(type));
    LocalRegistration[] self = new LocalRegistration[1];
    self[0] = new LocalRegistration(type, kind, consumer, () -> handlers.remove(type, self[0]));
    if (handlers.putIfAbsent(type, self[0]) != null) {
      return Future.failedFuture(new CommBusException(ErrorCode.DUPLICATE_HANDLER,
          "this bus already has a handler for " + type));
    }
    consumer.handler(raw -> onRequest(type, raw, entry));
    return consumer.completion().transform(ar -> {
      if (ar.failed()) {
        handlers.remove(type, self[0]);
        return Future.failedFuture(CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
      }
      return Future.succeededFuture(self[0]);
    });
  }

  private void onRequest(String type, io.vertx.core.eventbus.Message<Object> raw, HandlerEntry entry) {
    ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
    Envelope envelope = headers.envelope;
    boolean command = envelope != null && envelope.category == Category.COMMAND;
    if (command) {
      // Fire-and-forget: confirm receipt now, handle after.
      raw.reply(null);
    } else if (envelope != null && envelope.deadlineMillis > 0 && System.currentTimeMillis() > envelope.deadlineMillis) {
      replyError(raw, new BusTimeoutException("the deadline of " + type + " passed before it was handled"));
      return;
    }
    Span span = tracing.startIncoming(command ? "handle" : "answer", type,
        command ? SpanKind.CONSUMER : SpanKind.SERVER, headers);
    try (Scope ignored = tracing.enter(span, headers)) {
      if (entry.streaming != null) {
        if (!Wire.MODE_STREAM.equals(headers.mode)) {
          replyError(raw, new CommBusException(ErrorCode.PROTOCOL, type
              + " is answered with a stream: call queryStream"));
          span.end();
          return;
        }
        openProducer(raw, headers, entry, span);
        return;
      }
      Future<?> outcome;
      try {
        outcome = entry.single.invoke(raw, headers);
      } catch (CommBusException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(ar -> {
        if (ar.succeeded()) {
          if (!command) {
            replyValue(raw, ar.result());
          }
        } else {
          stats.handlerFailed(type);
          span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
          if (command) {
            LOG.log(System.Logger.Level.WARNING, "handler of command " + type + " failed on " + headers.id(),
                ar.cause());
          } else {
            replyError(raw, CommBusException.wrap(ar.cause(), ErrorCode.HANDLER_FAILED));
          }
        }
        span.end();
      });
    }
  }

  private void openProducer(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers, HandlerEntry entry,
                            Span span) {
    long credit;
    long idle;
    try {
      credit = Long.parseLong(headers.credit);
      idle = Long.parseLong(headers.idle);
    } catch (NumberFormatException e) {
      replyError(raw, new CommBusException(ErrorCode.PROTOCOL, "streamed query without valid credit and idle headers"));
      span.end();
      return;
    }
    StreamProducer<Object> sink = new StreamProducer<>(vertx, vertx.getOrCreateContext(), payloads, headers.stream,
        credit, options.getStreamWindow(), idle);
    sink.open().onComplete(ar -> {
      if (ar.failed()) {
        replyError(raw, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        span.end();
        return;
      }
      raw.reply(null, new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_STREAM));
      try {
        entry.streaming.invoke(raw, headers, sink);
      } catch (CommBusException e) {
        sink.fail(e);
      }
      span.end();
    });
  }

  private void replyValue(io.vertx.core.eventbus.Message<Object> raw, Object result) {
    PayloadMapper.Body body;
    Map<String, String> metadata = Map.of();
    try {
      if (result instanceof Message) {
        Message reply = (Message) result;
        metadata = reply.metadata();
        body = new PayloadMapper.Body(reply.body(), false);
      } else {
        body = payloads.encode(result);
      }
    } catch (CommBusException e) {
      replyError(raw, e);
      return;
    }
    if (!body.wrapped && metadata.isEmpty()) {
      raw.reply(body.body);
      return;
    }
    DeliveryOptions delivery = new DeliveryOptions();
    metadata.forEach((key, value) -> {
      if (!Wire.isReserved(key)) {
        delivery.addHeader(key, value);
      }
    });
    wrapped(delivery, body);
    raw.reply(body.body, delivery);
  }

  private static void replyError(io.vertx.core.eventbus.Message<Object> raw, CommBusException error) {
    raw.fail(Wire.ERROR_REPLY_CODE, error.toJson().encode());
  }

  // ---------------------------------------------------------------- the rest

  @Override
  public CommBus addMiddleware(Middleware middleware) {
    chain.add(middleware);
    return this;
  }

  @Override
  public boolean hasHandler(String type) {
    return handlers.containsKey(type);
  }

  @Override
  public List<Registration> subscribers(String type) {
    List<LocalRegistration> list = subscriptions.get(type);
    return list == null ? List.of() : List.copyOf(list);
  }

  @Override
  public Set<String> registeredTypes() {
    Set<String> typesSeen = new TreeSet<>(handlers.keySet());
    subscriptions.forEach((type, list) -> {
      if (!list.isEmpty()) {
        typesSeen.add(type);
      }
    });
    return typesSeen;
  }

  @Override
  public BusStats stats() {
    return stats;
  }

  @Override
  public String typeName(Class<?> messageClass) {
    return types.of(messageClass).name;
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> pending = new ArrayList<>();
    new ArrayList<>(handlers.values()).forEach(reg -> pending.add(reg.unregister()));
    subscriptions.values().forEach(list -> new ArrayList<>(list).forEach(reg -> pending.add(reg.unregister())));
    journalRegistrations.forEach(reg -> pending.add(reg.unregister()));
    journalRegistrations.clear();
    return Future.all(pending).mapEmpty();
  }
}
