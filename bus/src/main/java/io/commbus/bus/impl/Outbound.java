package io.commbus.bus.impl;

import com.fasterxml.jackson.databind.JavaType;
import io.commbus.bus.Category;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.Query;
import io.commbus.bus.QueryStream;
import io.commbus.bus.config.Check;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.middleware.MiddlewareContext;
import io.commbus.bus.stream.StreamConsumer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The caller's side of the bus: publish, send, query and streamed query. Each describes its
 * message as a {@link Call}, runs the middleware chain around the exchange (straight through
 * when the chain is empty) and maps the event bus's failures to the bus's error codes.
 */
final class Outbound {

  private final Vertx vertx;
  private final EventBus eventBus;
  private final CommBusOptions options;
  private final MiddlewareChain chain;
  private final PayloadMapper payloads;
  private final MessageTypes types;
  private final Tracing tracing;
  private final Departures departures;

  Outbound(BusCore core) {
    this.vertx = core.vertx;
    this.eventBus = core.eventBus;
    this.options = core.options;
    this.chain = core.chain;
    this.payloads = core.payloads;
    this.types = core.types;
    this.tracing = core.tracing;
    this.departures = core.departures;
  }

  /**
   * Describes {@code message} for {@code verb} and runs the middleware chain around
   * {@code dispatch}, straight through when the chain is empty. Errors become failed futures.
   */
  @SuppressWarnings("unchecked")
  private <T> Future<T> perform(Object message, Category verb, BiFunction<Call, Object, Future<T>> dispatch) {
    Call call;
    try {
      call = Call.of(message, verb, types);
      if (chain.isEmpty()) {
        return dispatch.apply(call, message);
      }
    } catch (CommBusException | IllegalArgumentException e) {
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

  Future<Long> publish(Object event) {
    EventJournal journal = options.getJournal();
    return perform(event, Category.EVENT, (call, message) -> {
      Span span = tracing.startOutgoing("publish", call.type, SpanKind.PRODUCER);
      Future<Long> published;
      try {
        PayloadMapper.Body body = bodyOf(message);
        DeliveryOptions delivery = body.mark(call.delivery(tracing, span, null));
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
    eventBus.publish(Addresses.event(call.type), body.body(), delivery);
    return Future.succeededFuture(position);
  }

  /** The event as the journal stores it: the same id, type, time, headers and body it travels with. */
  private static JournalEvent journalEvent(Call call, PayloadMapper.Body body, DeliveryOptions delivery) {
    Map<String, String> headers = new HashMap<>();
    delivery.getHeaders().forEach(headers::put);
    return new JournalEvent(call.id, call.type, call.sentMillis, headers, body.body());
  }

  Future<Void> send(Object command) {
    Duration timeout = options.getSendTimeout();
    return perform(command, Category.COMMAND,
        (call, message) -> request(call, message, "send", SpanKind.PRODUCER, timeout, reply -> null));
  }

  <R> Future<R> query(Query<R> query, Duration timeout) {
    return within(timeout, () -> perform(query, Category.QUERY, (call, message) -> {
      JavaType replyType = types.of(query.getClass()).replyType;
      return request(call, message, "query", SpanKind.CLIENT, timeout,
          reply -> payloads.<R>decode(reply.body(), PayloadMapper.isWrapped(reply), replyType));
    }));
  }

  Future<Message> query(Message query, Duration timeout) {
    return within(timeout, () -> perform(query, Category.QUERY,
        (call, message) -> request(call, message, "query", SpanKind.CLIENT, timeout, reply -> toReply(reply, call.type))));
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
      delivery = body.mark(call.delivery(tracing, span, timeout));
    } catch (CommBusException e) {
      span.end();
      return Future.failedFuture(e);
    }
    Future<io.vertx.core.eventbus.Message<Object>> reply;
    if (departures == null) {
      reply = eventBus.request(Addresses.handler(call.type), body.body(), delivery);
    } else {
      Context context = vertx.getOrCreateContext();
      // A type whose every handler left is looked up again before it is sent (see Departures).
      reply = departures.isOrphaned(call.type)
          ? departures.stillHandled(call.type, context)
              .compose(v -> eventBus.request(Addresses.handler(call.type), body.body(), delivery))
          : eventBus.request(Addresses.handler(call.type), body.body(), delivery);
      reply = departures.watch(call.type, context, reply);
    }
    return reply.transform(ar -> {
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
      CommBusException error = ReplyFailures.of(ar.cause(), call.type, timeout);
      span.setStatus(StatusCode.ERROR, error.toString());
      span.end();
      return Future.failedFuture(error);
    });
  }

  <R> Future<QueryStream<R>> queryStream(Query<R> query, Duration timeout) {
    // The class lookup is cached; perform() has checked the query before any item arrives.
    return openStream(query, timeout, frame -> payloads.decode(frame.body(), PayloadMapper.isWrapped(frame),
        types.of(query.getClass()).replyType));
  }

  Future<QueryStream<Message>> queryStream(Message query, Duration timeout) {
    return openStream(query, timeout, frame -> toReply(frame, query.type()));
  }

  private <T> Future<QueryStream<T>> openStream(Object query, Duration timeout,
                                                Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    return within(timeout, () -> stream(query, timeout, decoder));
  }

  private <T> Future<QueryStream<T>> stream(Object query, Duration timeout,
                                            Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    long idleMillis = (options.getStreamIdleTimeout() != null ? options.getStreamIdleTimeout() : timeout).toMillis();
    int window = options.getStreamWindow();
    return perform(query, Category.QUERY, (call, message) -> departures != null && departures.isOrphaned(call.type)
        // A type whose every handler left is looked up again before the stream is opened (see Departures).
        ? departures.stillHandled(call.type, vertx.getOrCreateContext())
            .compose(v -> openCall(call, message, timeout, idleMillis, window, decoder))
        : openCall(call, message, timeout, idleMillis, window, decoder));
  }

  /** Opens the stream of one call: its consumer, the request that asks the handler for it. */
  private <T> Future<QueryStream<T>> openCall(Call call, Object message, Duration timeout, long idleMillis,
                                              int window, Function<io.vertx.core.eventbus.Message<Object>, T> decoder) {
    Span span = tracing.startOutgoing("query", call.type, SpanKind.CLIENT);
    try {
      PayloadMapper.Body body = bodyOf(message);
      DeliveryOptions delivery = body.mark(call.delivery(tracing, span, timeout));
      StreamConsumer<T> stream = new StreamConsumer<>(vertx, vertx.getOrCreateContext(), Ids.messageId(), window,
          idleMillis, decoder);
      Future<QueryStream<T>> opened = stream.open(Addresses.handler(call.type), body.body(), delivery,
          failure -> ReplyFailures.of(failure, call.type, timeout),
          departures == null ? request -> request : request -> departures.watch(call.type, vertx.getOrCreateContext(), request));
      if (departures != null) {
        opened.onSuccess(open -> watchProducer(stream));
      }
      return opened;
    } catch (CommBusException e) {
      return Future.failedFuture(e);
    } finally {
      span.end();
    }
  }

  /** Fails an open stream at once if its producer's member leaves; a stream of one has no producer. */
  private void watchProducer(StreamConsumer<?> stream) {
    String member = stream.producerMember();
    if (member != null) {
      Runnable unwatch = departures.watchMember(member, stream::producerLeft);
      stream.released().onComplete(done -> unwatch.run());
    }
  }

  /**
   * Runs {@code call} if the caller's {@code timeout} lies in (0, {@link CommBusOptions#MAX_TIMEOUT}].
   * The caller may be remote (the admin API, a Python child), so a timeout outside is the
   * message's fault, INVALID_MESSAGE, worded like the options' own bound.
   */
  private static <T> Future<T> within(Duration timeout, Supplier<Future<T>> call) {
    try {
      Check.positive("timeout", timeout, CommBusOptions.MAX_TIMEOUT);
    } catch (InvalidSettingException e) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, e.getMessage()));
    }
    return call.get();
  }

  /** A reply or stream item to an untyped query. */
  private Message toReply(io.vertx.core.eventbus.Message<Object> raw, String type) {
    return ReceivedHeaders.of(raw.headers()).reply(payloads, raw.body(), type);
  }
}
