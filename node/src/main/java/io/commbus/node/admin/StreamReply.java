package io.commbus.node.admin;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * A response that streams: newline-delimited JSON by default ({@code application/x-ndjson}, one
 * object per line), or Server-Sent Events when the client's {@code Accept} asks for
 * {@code text/event-stream}. Each record has a kind ({@code item}, {@code event}) and a JSON
 * value; the stream closes with {@code end} (and a summary) or {@code error} (the code and
 * message, as the other endpoints give them). In NDJSON a record is {@code {"KIND": VALUE}};
 * in SSE it is {@code event: KIND} and {@code data: VALUE}.
 *
 * <p>The response buffers at most {@link #WRITE_QUEUE_BYTES} before {@link #full} says so: the
 * writer then waits for {@link #onDrain}, or, where it cannot wait, gives up on the client.
 *
 * <p>A quiet stream still writes a keep-alive every {@link #KEEP_ALIVE_MILLIS} (an empty line in
 * NDJSON, a comment in SSE, both skipped by readers), so a client that vanished without closing
 * its connection is found out by the failed write instead of holding a connection for ever.
 */
final class StreamReply {

  /** How much a slow client may leave unread before the writer must wait or let it go. */
  static final int WRITE_QUEUE_BYTES = 1024 * 1024;
  static final String NDJSON = "application/x-ndjson";
  static final String EVENT_STREAM = "text/event-stream";
  static final long KEEP_ALIVE_MILLIS = 15_000;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final boolean events;
  private final long keepAlive;
  private boolean finished;
  private Handler<Void> gone;

  private StreamReply(Vertx vertx, HttpServerResponse response, boolean events) {
    this.vertx = vertx;
    this.response = response;
    this.events = events;
    this.keepAlive = vertx.setPeriodic(KEEP_ALIVE_MILLIS, id -> {
      if (!finished && !response.closed() && !response.writeQueueFull()) {
        response.write(events ? ": keep-alive\n\n" : "\n");
      }
    });
    response.closeHandler(v -> {
      vertx.cancelTimer(keepAlive);
      if (!finished) {
        finished = true;
        if (gone != null) {
          gone.handle(null);
        }
      }
    });
  }

  /** Starts the streamed response of {@code ctx}: status 200, chunked, in the format the client accepts. */
  static StreamReply start(RoutingContext ctx) {
    String accept = ctx.request().getHeader("accept");
    boolean events = accept != null && accept.contains(EVENT_STREAM);
    HttpServerResponse response = ctx.response().setStatusCode(200).setChunked(true)
        .putHeader("content-type", events ? EVENT_STREAM : NDJSON)
        .putHeader("cache-control", "no-cache");
    response.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    // The headers go at once, so a client sees the stream open before its first record.
    response.writeHead();
    return new StreamReply(ctx.vertx(), response, events);
  }

  /** Writes one record of {@code kind}. */
  void write(String kind, Object value) {
    if (finished || response.closed()) {
      return;
    }
    if (events) {
      // Compact JSON has no line breaks, so the value is one data line.
      response.write("event: " + kind + "\ndata: " + Json.encode(value) + "\n\n");
    } else {
      response.write(new JsonObject().put(kind, value).encode() + "\n");
    }
  }

  /** Ends the stream with {@code end} and {@code summary}. */
  void end(JsonObject summary) {
    write("end", summary);
    finish();
  }

  /** Ends the stream with {@code error}: the code and message of {@code cause}. */
  void fail(Throwable cause) {
    write("error", CommBusException.wrap(cause, ErrorCode.INTERNAL).toJson());
    finish();
  }

  private void finish() {
    if (!finished) {
      finished = true;
      vertx.cancelTimer(keepAlive);
      if (!response.closed() && !response.ended()) {
        response.end();
      }
    }
  }

  /** Whether the client has left more unread than the bound. */
  boolean full() {
    return response.writeQueueFull();
  }

  /** Calls {@code resume} once the client has read enough of what is queued. */
  void onDrain(Runnable resume) {
    response.drainHandler(v -> resume.run());
  }

  /** Calls {@code gone} if the client goes away before the stream ends. */
  void onClientGone(Handler<Void> gone) {
    this.gone = gone;
    if (response.closed() && !finished) {
      // Gone before it was asked: between the request and the stream's start.
      finished = true;
      vertx.cancelTimer(keepAlive);
      gone.handle(null);
    }
  }

  /** Whether the stream has ended, or its client gone. */
  boolean finished() {
    return finished;
  }

  /** Ends the stream now with {@code cause}, closing the connection: for a client stuck where it cannot be waited for. */
  void abandon(Throwable cause) {
    fail(cause);
    response.reset();
  }
}
