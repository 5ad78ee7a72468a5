package io.commbus.bus.impl;

import io.commbus.bus.BusStats;
import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Query;
import io.commbus.bus.Registration;
import io.commbus.bus.StreamHandler;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.VertxInternals;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.stream.StreamProducer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The handler's side of commands and queries: one handler per type on this bus, invoked for
 * each request that reaches it, answering with one value, an error, or a stream.
 */
final class HandlerDispatch {

  private static final System.Logger LOG = System.getLogger(CommBus.class.getName());

  private final Vertx vertx;
  private final EventBus eventBus;
  private final CommBusOptions options;
  private final PayloadMapper payloads;
  private final MessageTypes types;
  private final Tracing tracing;
  private final BusStats stats;
  /** This cluster member's id, which an accepted stream names so its consumer can watch it; null when local. */
  private final String localMember;
  private final Map<String, LocalRegistration> handlers = new ConcurrentHashMap<>();

  HandlerDispatch(BusCore core) {
    this.vertx = core.vertx;
    this.eventBus = core.eventBus;
    this.options = core.options;
    this.payloads = core.payloads;
    this.types = core.types;
    this.tracing = core.tracing;
    this.stats = core.stats;
    ClusterManager cluster = VertxInternals.clusterManager(vertx);
    this.localMember = cluster == null ? null : cluster.getNodeId();
  }

  /** Invokes a handler that answers with one value. */
  private interface SingleInvoker {
    Future<?> invoke(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers);
  }

  /** Invokes a handler that answers with a stream. */
  private interface StreamInvoker {
    void invoke(io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers, StreamSink<Object> sink);
  }

  <T, R> Future<Registration> registerHandler(Class<T> type, MessageHandler<T, R> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, Registration.Kind.HANDLER, (raw, headers) -> invoke(handler,
        payloads.decode(raw.body(), headers.wrapped, info.javaType)), null);
  }

  <R> Future<Registration> registerHandler(String type, MessageHandler<Message, R> handler) {
    return register(type, Registration.Kind.HANDLER, (raw, headers) -> invoke(handler,
        headers.live(payloads, raw.body(), type, Category.QUERY)), null);
  }

  @SuppressWarnings("unchecked")
  <T, Q extends Query<T>> Future<Registration> registerStreamHandler(Class<Q> type, StreamHandler<Q, T> handler) {
    MessageTypes.TypeInfo info = types.of(type);
    return register(info.name, Registration.Kind.STREAM_HANDLER, null, (raw, headers, sink) -> {
      Q query = payloads.decode(raw.body(), headers.wrapped, info.javaType);
      try {
        handler.handle(query, (StreamSink<T>) (StreamSink<?>) sink);
      } catch (Exception e) {
        sink.fail(e);
      }
    });
  }

  Future<Registration> registerStreamHandler(String type, StreamHandler<Message, Object> handler) {
    return register(type, Registration.Kind.STREAM_HANDLER, null, (raw, headers, sink) -> {
      try {
        handler.handle(headers.live(payloads, raw.body(), type, Category.QUERY), sink);
      } catch (Exception e) {
        sink.fail(e);
      }
    });
  }

  /** Calls {@code handler}; a throw or a null future counts as its outcome. */
  static <T> Future<?> invoke(MessageHandler<T, ?> handler, T message) {
    try {
      Future<?> result = handler.handle(message);
      return result == null ? Future.succeededFuture() : result;
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** Exactly one of {@code single} and {@code streaming} is set, as {@code kind} says. */
  private Future<Registration> register(String type, Registration.Kind kind, SingleInvoker single,
                                        StreamInvoker streaming) {
    if (type == null || type.isBlank()) {
      return Future.failedFuture(new IllegalArgumentException("a handler needs a non-blank type"));
    }
    MessageConsumer<Object> consumer = eventBus.consumer(Addresses.handler(type));
    LocalRegistration[] self = new LocalRegistration[1];
    self[0] = new LocalRegistration(type, kind, consumer, () -> handlers.remove(type, self[0]));
    if (handlers.putIfAbsent(type, self[0]) != null) {
      return Future.failedFuture(new CommBusException(ErrorCode.DUPLICATE_HANDLER,
          "this bus already has a handler for " + type));
    }
    consumer.handler(raw -> onRequest(type, raw, single, streaming));
    return consumer.completion().transform(ar -> {
      if (ar.failed()) {
        handlers.remove(type, self[0]);
        return Future.failedFuture(CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
      }
      return Future.succeededFuture(self[0]);
    });
  }

  private void onRequest(String type, io.vertx.core.eventbus.Message<Object> raw, SingleInvoker single,
                         StreamInvoker streaming) {
    ReceivedHeaders headers = ReceivedHeaders.of(raw.headers());
    Envelope envelope = headers.envelope();
    boolean command = envelope != null && envelope.category == Category.COMMAND;
    if (command) {
      // Fire-and-forget: confirm receipt now, handle after.
      raw.reply(null);
    } else if (envelope != null && envelope.deadlineMillis > 0 && System.currentTimeMillis() > envelope.deadlineMillis) {
      Replies.error(raw, new BusTimeoutException("the deadline of " + type + " passed before it was handled"));
      return;
    }
    Span span = tracing.startIncoming(command ? "handle" : "answer", type,
        command ? SpanKind.CONSUMER : SpanKind.SERVER, headers);
    try (Scope ignored = tracing.enter(span, headers)) {
      if (streaming != null) {
        openProducer(type, raw, headers, streaming, span);
        return;
      }
      Future<?> outcome;
      try {
        outcome = single.invoke(raw, headers);
      } catch (CommBusException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(ar -> {
        if (ar.succeeded()) {
          if (!command) {
            Replies.value(raw, ar.result(), payloads);
          }
        } else {
          stats.handlerFailed(type);
          span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
          if (command) {
            LOG.log(System.Logger.Level.WARNING, "handler of command " + type + " failed on " + headers.id(),
                ar.cause());
          } else {
            Replies.error(raw, CommBusException.wrap(ar.cause(), ErrorCode.HANDLER_FAILED));
          }
        }
        span.end();
      });
    }
  }

  /** Answers a streamed query: opens the producer, accepts the stream, then runs the handler. */
  private void openProducer(String type, io.vertx.core.eventbus.Message<Object> raw, ReceivedHeaders headers,
                            StreamInvoker streaming, Span span) {
    StreamProducer<Object> sink;
    try {
      if (!headers.streamMode) {
        throw new CommBusException(ErrorCode.PROTOCOL, type + " is answered with a stream: call queryStream");
      }
      sink = StreamProducer.forQuery(vertx, vertx.getOrCreateContext(), payloads, headers.stream, headers.credit,
          headers.idle, options.getStreamWindow());
    } catch (CommBusException e) {
      Replies.error(raw, e);
      span.end();
      return;
    }
    sink.open().onComplete(ar -> {
      if (ar.failed()) {
        Replies.error(raw, CommBusException.wrap(ar.cause(), ErrorCode.INTERNAL));
        span.end();
        return;
      }
      DeliveryOptions accepted = new DeliveryOptions().addHeader(Wire.REPLY, Wire.REPLY_STREAM);
      if (localMember != null) {
        accepted.addHeader(Wire.MEMBER, localMember);
      }
      raw.reply(null, accepted);
      try {
        streaming.invoke(raw, headers, sink);
      } catch (CommBusException e) {
        sink.fail(e);
      }
      span.end();
    });
  }

  boolean hasHandler(String type) {
    return handlers.containsKey(type);
  }

  Set<String> types() {
    return handlers.keySet();
  }

  /** Unregisters every handler; the futures complete as each one is gone. */
  List<Future<Void>> close() {
    List<Future<Void>> pending = new ArrayList<>();
    new ArrayList<>(handlers.values()).forEach(reg -> pending.add(reg.unregister()));
    return pending;
  }
}
