package io.commbus.node.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One streamed call of the admin API ({@code /queryStream}, {@code /subscribe}), read line by
 * line as the node writes it: each {@code item} or {@code event} record is printed on stdout as
 * one JSON line, flushed at once; {@code end} ends it (exit 0), {@code error} too (its code and
 * message on stderr, exit 1). A stream the node closes without either is a failure as well.
 */
final class StreamedCall {

  private final String name;
  private final NodeTarget target;

  StreamedCall(String name, NodeTarget target) {
    this.name = name;
    this.target = target;
  }

  /** Sends {@code request} (the target's token added) and prints its stream; returns the exit code. */
  int run(HttpRequest.Builder request, PrintStream out, PrintStream err) throws InterruptedException {
    return run(request, Long.MAX_VALUE, out, err);
  }

  /** The same, ending with exit 0 once {@code most} records are printed (the connection closed leaves the stream). */
  int run(HttpRequest.Builder request, long most, PrintStream out, PrintStream err) throws InterruptedException {
    return run(request, most, JsonObject::encode, out, err);
  }

  /** The same, each record printed as {@code render} writes it. */
  int run(HttpRequest.Builder request, long most, Function<JsonObject, String> render, PrintStream out,
          PrintStream err) throws InterruptedException {
    target.token().ifPresent(token -> request.header("authorization", "Bearer " + token));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<Stream<String>> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      target.unreachable(name, e, err);
      return 1;
    }
    try (Stream<String> lines = response.body()) {
      if (response.statusCode() != 200) {
        String body = String.join("\n", lines.toList());
        try {
          target.refused(name, response.statusCode(), new JsonObject(body), body, err);
        } catch (DecodeException | ClassCastException e) {
          err.println("commbus " + name + ": HTTP " + response.statusCode() + ": " + body);
        }
        return 1;
      }
      return print(lines.iterator(), most, render, out, err);
    } catch (java.io.UncheckedIOException e) {
      err.println("commbus " + name + ": the stream from " + target.base() + " broke off: " + e.getCause());
      return 1;
    }
  }

  private int print(Iterator<String> lines, long most, Function<JsonObject, String> render, PrintStream out,
                    PrintStream err) {
    long printed = 0;
    while (printed < most && lines.hasNext()) {
      String line = lines.next();
      if (line.isBlank()) {
        continue;
      }
      JsonObject record = new JsonObject(line);
      if (record.containsKey("end")) {
        return 0;
      }
      if (record.containsKey("error")) {
        JsonObject error = record.getJsonObject("error");
        err.println("commbus " + name + ": " + error.getString("code") + ": " + error.getString("message"));
        return 1;
      }
      out.println(render.apply(record));
      out.flush();
      printed++;
    }
    if (printed == most) {
      return 0;
    }
    err.println("commbus " + name + ": the node closed the stream before its end");
    return 1;
  }
}
