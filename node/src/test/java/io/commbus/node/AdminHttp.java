package io.commbus.node;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking HTTP client for a node's admin API, for test threads (never an event loop). */
final class AdminHttp {

  /** A status, the content type, the body and every header. */
  record Reply(int status, String contentType, String body, HttpHeaders headers) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  /** The whole Authorization header each request sends, or null for none. */
  private final String authorization;

  AdminHttp(String base) {
    this(base, null);
  }

  /** Every request with {@code authorization} as its Authorization header ({@code Bearer TOKEN}). */
  AdminHttp(String base, String authorization) {
    this.base = base;
    this.authorization = authorization;
  }

  Reply get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Reply post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Reply post(String path, JsonObject body) {
    return post(path, body.encode());
  }

  /** A POST with one more header. */
  Reply post(String path, JsonObject body, String header, String value) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
        .header(header, value).POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private Reply send(HttpRequest.Builder request) {
    if (authorization != null) {
      request.header("authorization", authorization);
    }
    try {
      HttpResponse<String> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.headers().firstValue("content-type").orElse(""),
          response.body(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
