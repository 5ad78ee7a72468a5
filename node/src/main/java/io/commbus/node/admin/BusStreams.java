package io.commbus.node.admin;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.internal.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TreeMap;

/**
 * The admin API's streams, as {@link StreamReply} writes them:
 * <ul>
 *   <li>{@code POST /queryStream}, the body of a {@code /query}: the handler's items, each an
 *   {@code item} record, then {@code end} with their count, or {@code error}. The handler's
 *   pace follows the client's: when the client reads slowly, the stream is paused, so its
 *   credit stops the producer; one that reads nothing for the admin API's idle timeout is let
 *   go. A client that goes away cancels the stream.</li>
 *   <li>{@code GET /subscribe?type=T[&from=POS]}: the events of type {@code T}, each an
 *   {@code event} record ({@code position}, {@code id}, {@code type}, {@code timestamp}, {@code body} or
 *   {@code bodyBase64}, {@code metadata}), live, or from journal position {@code POS} on
 *   (the journal's, then live, with no gap and no duplicate). From a position, {@code type}
 *   may name several types (repeated, or comma-separated), or none for every type. Events cannot wait for a slow
 *   client: one that falls {@link StreamReply#WRITE_QUEUE_BYTES} behind gets an {@code error}
 *   (OVERLOADED) and is let go, and the subscription with it.</li>
 * </ul>
 * A request that fails before its stream opens (a bad body, no handler) is answered like any
 * other, with the error's status and JSON.
 */
final class BusStreams {

  private final CommBus bus;
  /** How long a stream may stay paused on a client that reads nothing before it is let go. */
  private final long stuckMillis;

  BusStreams(CommBus bus, Duration stuck) {
    this.bus = bus;
    this.stuckMillis = stuck.toMillis();
  }

  /**
   * {@code POST /queryStream}; {@code opened} is the stream as the admin server's context sees it.
   * Called on that context; the stream's callbacks are brought back to it, whatever context the
   * bus delivers them on.
   */
  void queryStream(RoutingContext ctx, Future<QueryStream<Message>> opened) {
    Context admin = VertxInternals.root(Vertx.currentContext());
    opened.onComplete(ar -> {
      if (ar.failed()) {
        ErrorReplies.fail(ctx, ar.cause());
        return;
      }
      QueryStream<Message> stream = ar.result();
      StreamReply reply = StreamReply.start(ctx);
      long[] items = {0};
      long[] stuck = {-1};
      reply.onClientGone(v -> {
        cancelTimer(ctx, stuck);
        stream.cancel();
      });
      if (reply.finished()) {
        return;   // the client left while the stream was opening: cancelled above
      }
      stream.exceptionHandler(e -> VertxInternals.runOn(admin, () -> {
        cancelTimer(ctx, stuck);
        reply.fail(e);
      }));
      stream.endHandler(v -> VertxInternals.runOn(admin, () -> {
        cancelTimer(ctx, stuck);
        reply.end(new JsonObject().put("items", items[0]));
      }));
      stream.handler(item -> VertxInternals.runOn(admin, () -> {
        items[0]++;
        Object body = item.body();
        if (body instanceof Buffer) {
          reply.write("itemBase64", Base64.getEncoder().encodeToString(((Buffer) body).getBytes()));
        } else {
          reply.write("item", body);
        }
        if (reply.full() && stuck[0] < 0) {
          stream.pause();
          // A client that reads nothing for this long is let go rather than held paused for ever.
          stuck[0] = ctx.vertx().setTimer(stuckMillis, t -> {
            stream.cancel();
            reply.abandon(new CommBusException(ErrorCode.TIMEOUT, "the client read nothing of the stream for "
                + stuckMillis + " ms (admin.idleTimeout)"));
          });
          reply.onDrain(() -> {
            cancelTimer(ctx, stuck);
            stream.resume();
          });
        }
      }));
    });
  }

  private static void cancelTimer(RoutingContext ctx, long[] timer) {
    if (timer[0] >= 0) {
      ctx.vertx().cancelTimer(timer[0]);
      timer[0] = -1;
    }
  }

  /** {@code GET /subscribe}. */
  void subscribe(RoutingContext ctx) {
    MultiMap params = ctx.queryParams();
    Set<String> types = new LinkedHashSet<>();
    for (String value : params.getAll("type")) {
      for (String type : value.split(",")) {
        if (!type.isBlank()) {
          types.add(type.trim());
        }
      }
    }
    Long from;
    try {
      from = params.get("from") == null ? null : Long.parseLong(params.get("from").trim());
    } catch (NumberFormatException e) {
      from = -1L;
    }
    if (from != null && from < 1) {
      ErrorReplies.json(ctx.response(), 400, ErrorReplies.invalid("from: must be a journal position, a whole"
          + " number from 1, was \"" + params.get("from") + "\""));
      return;
    }
    if (from == null && types.size() != 1) {
      ErrorReplies.json(ctx.response(), 400, ErrorReplies.invalid("type: live events are followed one type at a"
          + " time (GET /subscribe?type=orders.Placed); several types, or every type, from a journal position"
          + " (&from=POSITION)"));
      return;
    }
    String what = types.isEmpty() ? "every type" : String.join(", ", types);
    StreamReply reply = StreamReply.start(ctx);
    Registration[] registration = new Registration[1];
    Handler<Message> deliver = event -> {
      if (reply.full()) {
        reply.fail(new CommBusException(ErrorCode.OVERLOADED, "this client fell " + StreamReply.WRITE_QUEUE_BYTES
            + " bytes behind the events of " + what + "; it is let go, and can subscribe again from position "
            + event.position()));
        registration[0].unregister();
        return;
      }
      reply.write("event", render(event));
    };
    registration[0] = from == null ? bus.subscribe(types.iterator().next(), deliver)
        : bus.subscribeFrom(types, from, deliver);
    reply.onClientGone(v -> registration[0].unregister());
    registration[0].ready().onFailure(reply::fail);
  }

  private static JsonObject render(Message event) {
    JsonObject json = new JsonObject().put("position", event.position()).put("id", event.id())
        .put("type", event.type());
    if (event.timestamp() != null) {
      json.put("timestamp", event.timestamp().toString());
    }
    Object body = event.body();
    if (body instanceof Buffer) {
      json.put("bodyBase64", Base64.getEncoder().encodeToString(((Buffer) body).getBytes()));
    } else {
      json.put("body", body);
    }
    JsonObject metadata = new JsonObject();
    new TreeMap<>(event.metadata()).forEach(metadata::put);
    return json.put("metadata", metadata);
  }
}
