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
import io.commbus.bus.middleware.Middleware;
import io.commbus.bus.middleware.MiddlewareContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
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
  private static final DeliveryOptions ACK = new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_ACK);

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

  public VertxCommBus(Vertx vertx, CommBusOptions options) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.options = new CommBusOptions(options);
    this.tracing = new Tracing(this.options.getOpenTelemetry());
  }

  // ---------------------------------------------------------------- calls

  /** One call in flight: what it sends and what middleware may see and change. */
  private final class Call {
    final String id = Ids.messageId();
    final Instant timestamp = Instant.now();
    final String type;
    final Category category;
    final Map<String, String> metadata;
    Object message;
    MiddlewareContext context;

    Call(String type, Category category, Map<String, String> metadata, Object message) {
      this.type = type;
      this.category = category;
      this.metadata = metadata;
      this.message = message;
    }

    MiddlewareContext context() {
      if (context == null) {
        context = new MiddlewareContext(id, type, category, timestamp, metadata, message);
      }
      return context;
    }

    /** Headers for the event bus; the body is encoded separately. */
    DeliveryOptions delivery(Span span, Duration timeout) {
      DeliveryOptions delivery = new DeliveryOptions()
          .addHeader(Wire.ID, id)
          .addHeader(Wire.TYPE, type)
          .addHeader(Wire.CATEGORY, category.wireName())
          .addHeader(Wire.TIMESTAMP, Long.toString(timestamp.toEpochMilli()));
      if (timeout != null) {
        delivery.setSendTimeout(timeout.toMillis());
        if (category == Category.QUERY) {
          delivery.addHeader(Wire.DEADLINE, Long.toString(timestamp.toEpochMilli() + timeout.toMillis()));
        }
      }
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        if (Wire.isReserved(entry.getKey())) {
          throw new CommBusException(ErrorCode.INVALID_MESSAGE, "metadata key '" + entry.getKey()
              + "' is reserved (cb-*, traceparent, tracestate)");
        }
        delivery.addHeader(entry.getKey(), entry.getValue());
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
      return new Call(untyped.type(), verb, new HashMap<>(untyped.metadata()), message);
    }
    MessageTypes.TypeInfo info = types.of(message.getClass());
    if (info.category != null && info.category != verb) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "cannot " + verbName(verb) + " " + info.name
          + ": it is a " + info.category.wireName());
    }
    return new Call(info.name, verb, new HashMap<>(), message);
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
  public Future<Void> publish(Object event) {
    return perform(event, Category.EVENT, (call, message) -> {
      Span span = tracing.startOutgoing("publish " + call.type, SpanKind.PRODUCER);
      try {
        PayloadMapper.Body body = bodyOf(message);
        DeliveryOptions delivery = call.delivery(span, null);
        wrapped(delivery, body);
        eventBus.publish(Addresses.event(call.type), body.body, delivery);
        return Future.succeededFuture();
      } catch (CommBusException e) {
        span.setStatus(StatusCode.ERROR, e.getMessage());
        return Future.failedFuture(e);
      } finally {
        span.end();
      }
    });
  }

  @Override
  public Future<Void> send(Object command) {
    Duration timeout = options.getSendTimeout();
    return perform(command, Category.COMMAND,
        (call, message) -> request(call, message, "send ", SpanKind.PRODUCER, timeout).mapEmpty());
  }

  @Override
  public <R> Future<R> query(Query<R> query) {
    return query(query, options.getQueryTimeout());
  }

  @Override
  public <R> Future<R> query(Query<R> query, Duration timeout) {
    return perform(query, Category.QUERY, (call, message) -> {
      JavaType replyType = types.of(query.getClass()).replyType;
      return request(call, message, "query ", SpanKind.CLIENT, timeout)
          .map(reply -> payloads.<R>decode(reply.body(), isWrapped(reply.headers()), replyType));
    });
  }

  @Override
  public Future<Message> query(Message query) {
    return query(query, options.getQueryTimeout());
  }

  @Override
  public Future<Message> query(Message query, Duration timeout) {
    return perform(query, Category.QUERY, (call, message) -> request(call, message, "query ", SpanKind.CLIENT, timeout)
        .map(reply -> toMessage(reply, call.type, Category.QUERY)));
  }

  /** A request/reply exchange; error replies and event-bus failures become typed errors. */
  private Future<io.vertx.core.eventbus.Message<Object>> request(Call call, Object message, String spanPrefix,
                                                                 SpanKind kind, Duration timeout) {
    Span span = tracing.startOutgoing(spanPrefix + call.type, kind);
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
          if (ar.succeeded() && !Wire.REPLY_ERROR.equals(ar.result().headers().get(Wire.REPLY))) {
            span.end();
            return Future.succeededFuture(ar.result());
          }
          CommBusException error = ar.succeeded()
              ? CommBusException.fromJson((JsonObject) ar.result().body())
              : replyFailure(ar.cause(), call.type, timeout);
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
    return openStream(query, timeout, frame -> payloads.decode(frame.body(), isWrapped(frame.headers()),
        types.of(query.getClass()).replyType));
  }


  @Override
  public Future<QueryStream<Message>> queryStream(Message query) {
    return queryStream(query, options.getQueryTimeout());
  }

  @Override
  public Future<QueryStream<Message>> queryStream(Message query, Duration timeout) {
    return openStream(query, timeout, frame -> toMessage(frame, query.type(), Category.QUERY));
  }

  private <T> Future<QueryStream<T>> openStream(Object query, Duration timeout,
                                                Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    long idleMillis = (options.getStreamIdleTimeout() != null ? options.getStreamIdleTimeout() : timeout).toMillis();
    int window = options.getStreamWindow();
    return perform(query, Category.QUERY, (call, message) -> {
      Span span = tracing.startOutgoing("query " + call.type, SpanKind.CLIENT);
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

  private static boolean isWrapped(MultiMap headers) {
    return headers.contains(Wire.WRAPPED);
  }

  // ---------------------------------------------------------------- receiving

  /** An untyped view of a received event-bus message. */
  private Message toMessage(io.vertx.core.eventbus.Message<Object> raw, String fallbackType, Category fallback) {
    MultiMap headers = raw.headers();
    Map<String, String> metadata = new HashMap<>();
    for (Map.Entry<String, String> header : headers) {
      if (!Wire.isReserved(header.getKey())) {
        metadata.put(header.getKey(), header.getValue());
      }
    }
    String type = headers.get(Wire.TYPE);
    Category category = Category.fromWireName(headers.get(Wire.CATEGORY));
    return Message.received(headers.get(Wire.ID), type != null ? type : fallbackType,
        category != null ? category : fallback,
        payloads.decodeUntyped(raw.body(), isWrapped(headers)), metadata, headers.get(Wire.TRACEPARENT),
        epochMillis(headers.get(Wire.DEADLINE)), epochMillis(headers.get(Wire.TIMESTAMP)));
  }

  private static Instant epochMillis(String value) {
    if (value == null) {
      return null;
    }
    try {
      return Instant.ofEpochMilli(Long.parseLong(value));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public <E> Registration subscribe(Class<E> eventType, Handler<E> handler) {
    MessageTypes.TypeInfo info = types.of(eventType);
    return addSubscriber(info.name,
        raw -> handler.handle(payloads.decode(raw.body(), isWrapped(raw.headers()), info.javaType)));
  }

  @Override
  public Registration subscribe(String eventType, Handler<Message> handler) {
    return addSubscriber(eventType, raw -> handler.handle(toMessage(raw, eventType, Category.EVENT)));
  }

  private Registration addSubscriber(String type, Handler<io.vertx.core.eventbus.Message<Object>> deliver) {
    MessageConsumer<Object> consumer = eventBus.consumer(Addresses.event(type));
    List<LocalRegistration> list = subscriptions.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
    LocalRegistration[] self = new LocalRegistration[1];
    self[0] = new LocalRegistration(type, "subscriber", consumer, () -> list.remove(self[0]));
    consumer.handler(raw -> {
      Span span = tracing.startIncoming("receive " + type, SpanKind.CONSUMER, raw.headers());
      try (Scope ignored = span.makeCurrent()) {
        deliver.handle(raw);
      } catch (Throwable failure) {
        stats.subscriberFailed(type);
        span.setStatus(StatusCode.ERROR, String.valueOf(failure));
        LOG.log(System.Logger.Level.WARNING, "subscriber of " + type + " failed on event "
            + raw.headers().get(Wire.ID), failure);
      } finally {
        span.end();
      }
    });
    list.add(self[0]);
    return self[0];
  }

  /** How a registered handler is invoked: with one reply, or with a sink for a stream. */
  private static final class HandlerEntry {
    final Function<io.vertx.core.eventbus.Message<Object>, Future<?>> single;
    final BiConsumer<io.vertx.core.eventbus.Message<Object>, StreamProducer<Object>> streaming;

    HandlerEntry(Function<io.vertx.core.eventbus.Message<Object>, Future<?>> single,
                 BiConsumer<io.vertx.core.eventbus.Message<Object>, StreamProducer<Object>> streaming) {
      this.single = single;
      this.streaming = streaming;
    }
  }

  @Override
  public <T, R> Future<Registration> registerHandler(Class<T> type, MessageHandler<T, R> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, "handler", new HandlerEntry(raw -> invoke(handler,
        payloads.decode(raw.body(), isWrapped(raw.headers()), info.javaType)), null));
  }

  @Override
  public <R> Future<Registration> registerHandler(String type, MessageHandler<Message, R> handler) {
    return register(type, "handler", new HandlerEntry(raw -> invoke(handler,
        toMessage(raw, type, Category.QUERY)), null));
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T, Q extends Query<T>> Future<Registration> registerStreamHandler(Class<Q> type,
                                                                          StreamHandler<Q, T> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, "stream-handler", new HandlerEntry(null, (raw, sink) -> {
      Q query = payloads.decode(raw.body(), isWrapped(raw.headers()), info.javaType);
      try {
        handler.handle(query, (StreamProducer<T>) (StreamProducer<?>) sink);
      } catch (Exception e) {
        sink.fail(e);
      }
    }));
  }

  @Override
  public Future<Registration> registerStreamHandler(String type, StreamHandler<Message, Object> handler) {
    return register(type, "stream-handler", new HandlerEntry(null, (raw, sink) -> {
      try {
        handler.handle(toMessage(raw, type, Category.QUERY), sink);
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
    MultiMap headers = raw.headers();
    boolean command = Category.COMMAND.wireName().equals(headers.get(Wire.CATEGORY));
    if (command) {
      // Fire-and-forget: confirm receipt now, handle after.
      raw.reply(null, ACK);
    } else {
      String deadline = headers.get(Wire.DEADLINE);
      if (deadline != null && System.currentTimeMillis() > Long.parseLong(deadline)) {
        replyError(raw, new BusTimeoutException("the deadline of " + type + " passed before it was handled"));
        return;
      }
    }
    boolean wantsStream = Wire.MODE_STREAM.equals(headers.get(Wire.MODE));
    Span span = tracing.startIncoming((command ? "handle " : "answer ") + type,
        command ? SpanKind.CONSUMER : SpanKind.SERVER, headers);
    try (Scope ignored = span.makeCurrent()) {
      if (entry.streaming != null) {
        if (!wantsStream) {
          replyError(raw, new CommBusException(ErrorCode.PROTOCOL, type
              + " is answered with a stream: call queryStream"));
          span.end();
          return;
        }
        openProducer(type, raw, entry, span);
        return;
      }
      Future<?> outcome;
      try {
        outcome = entry.single.apply(raw);
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
            LOG.log(System.Logger.Level.WARNING, "handler of command " + type + " failed on "
                + headers.get(Wire.ID), ar.cause());
          } else {
            replyError(raw, CommBusException.wrap(ar.cause(), ErrorCode.HANDLER_FAILED));
          }
        }
        span.end();
      });
    }
  }

  private void openProducer(String type, io.vertx.core.eventbus.Message<Object> raw, HandlerEntry entry, Span span) {
    MultiMap headers = raw.headers();
    long credit;
    long idle;
    try {
      credit = Long.parseLong(headers.get(Wire.CREDIT));
      idle = Long.parseLong(headers.get(Wire.IDLE));
    } catch (NumberFormatException | NullPointerException e) {
      replyError(raw, new CommBusException(ErrorCode.PROTOCOL, "streamed query without valid credit and idle headers"));
      span.end();
      return;
    }
    String streamId = headers.get(Wire.STREAM);
    StreamProducer<Object> sink = new StreamProducer<>(vertx, vertx.getOrCreateContext(), payloads, streamId, credit,
        options.getStreamWindow(), idle);
    sink.open().onComplete(ar -> {
      if (ar.failed()) {
        replyError(raw, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        span.end();
        return;
      }
      raw.reply(null, new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_STREAM));
      try {
        entry.streaming.accept(raw, sink);
      } catch (CommBusException e) {
        sink.fail(e);
      }
      span.end();
    });
  }

  private void replyValue(io.vertx.core.eventbus.Message<Object> raw, Object result) {
    DeliveryOptions delivery = new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_VALUE);
    PayloadMapper.Body body;
    try {
      if (result instanceof Message) {
        Message reply = (Message) result;
        reply.metadata().forEach((key, value) -> {
          if (!Wire.isReserved(key)) {
            delivery.addHeader(key, value);
          }
        });
        body = new PayloadMapper.Body(reply.body(), false);
      } else {
        body = payloads.encode(result);
      }
    } catch (CommBusException e) {
      replyError(raw, e);
      return;
    }
    wrapped(delivery, body);
    raw.reply(body.body, delivery);
  }

  private static void replyError(io.vertx.core.eventbus.Message<Object> raw, CommBusException error) {
    raw.reply(error.toJson(), new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_ERROR));
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
    return Future.all(pending).mapEmpty();
  }
}
