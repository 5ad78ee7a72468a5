package io.commbus.node.admin;

import io.commbus.node.config.AdminOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.Map;

/**
 * Keeps clients from holding the admin API: at most {@code maxConnections} open, a request
 * received whole within {@code requestTimeout}, and no connection idle longer than
 * {@code idleTimeout} between requests.
 *
 * <p>Vert.x's {@code HttpServerOptions.idleTimeout} is not used: it counts silence on the
 * socket, so it would also cut a query the node is still working on for longer than that
 * (a {@code timeoutMs} of minutes), and it cannot tell half a request from none. Vert.x has no
 * connection limit. So each connection carries one timer, set by what it is waiting for: its
 * first request (the request timeout), the rest of a request's body (the request timeout),
 * or its next request (the idle timeout); none while the node answers. The server speaks
 * HTTP/1.1 only, one request at a time per connection, which is what makes one timer enough.
 *
 * <p>Everything here runs on the admin server's event loop: the connection handler, the
 * routes and the timers share its context, so the map needs no locking.
 */
final class ConnectionLimits {

  private final Vertx vertx;
  private final long idleMillis;
  private final long requestMillis;
  private final int maxConnections;
  private final Map<HttpConnection, Watch> open = new HashMap<>();

  ConnectionLimits(Vertx vertx, AdminOptions options) {
    this.vertx = vertx;
    this.idleMillis = options.getIdleTimeout().toMillis();
    this.requestMillis = options.getRequestTimeout().toMillis();
    this.maxConnections = options.getMaxConnections();
  }

  /** The server's connection handler: counts the connection in, or closes it if the limit is reached. */
  void connected(HttpConnection connection) {
    if (open.size() >= maxConnections) {
      // No request has been read, so there is nothing to answer: the close is the refusal.
      connection.close();
      return;
    }
    Watch watch = new Watch(connection);
    open.put(connection, watch);
    connection.closeHandler(v -> {
      open.remove(connection);
      watch.cancel();
    });
    watch.await(requestMillis, null);
  }

  /**
   * The router's first handler: stops the wait for this request, gives its body the request
   * timeout, and starts the idle wait once its response is done.
   */
  void request(RoutingContext ctx) {
    Watch watch = open.get(ctx.request().connection());
    if (watch != null) {
      watch.cancel();
      if (expectsBody(ctx.request()) && !ctx.request().isEnded()) {
        long body = watch.await(requestMillis, ctx.response());
        ctx.request().end().onComplete(received -> watch.cancel(body));
      }
      ctx.addEndHandler(done -> watch.await(idleMillis, null));
    }
    ctx.next();
  }

  /**
   * Whether a body follows the headers. Without one the request is whole once it is routed;
   * its end may still be seen late, since the router holds an unread request paused until
   * the response is done, and that wait is the node's, not the client's.
   */
  private static boolean expectsBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null || (length != null && !length.trim().equals("0"));
  }

  /** One connection's timer. */
  private final class Watch {

    private final HttpConnection connection;
    private long timer = -1;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    /**
     * Closes the connection after {@code millis} unless cancelled first, and returns the timer;
     * a {@code response} not yet begun is answered 408 first, since the client still listens.
     */
    long await(long millis, HttpServerResponse response) {
      cancel();
      timer = vertx.setTimer(millis, id -> {
        timer = -1;
        if (response != null && !response.headWritten() && !response.closed()) {
          response.setStatusCode(408).putHeader("content-type", "application/json").putHeader("connection", "close")
              .end(ErrorReplies.invalid("the request did not arrive whole within " + requestMillis
                  + " ms (admin.requestTimeout)").encode())
              .onComplete(written -> connection.close());
        } else {
          connection.close();
        }
      });
      return timer;
    }

    /** Cancels the timer {@code await} returned as {@code id}, if it is still the one set. */
    void cancel(long id) {
      if (timer == id) {
        cancel();
      }
    }

    void cancel() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
