package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * One run of each operation the process suite measures, against the pool that answers a bus
 * type. Each starts on the driver loop and completes with its elapsed time, from the query
 * sent to the last reply or item received. Runs check their answers, so a child that skipped
 * work cannot look fast.
 */
final class ChildWorkloads {

  private final CommBus bus;
  private final JsonObject body = Payloads.request();

  ChildWorkloads(CommBus bus) {
    this.bus = bus;
  }

  /** {@code count} echo queries one after another, each timed. */
  Future<ProbeRun> sequential(String type, int count) {
    long start = System.nanoTime();
    return new LatencyProbe(count, echo(type)).run().map(samples -> new ProbeRun(System.nanoTime() - start, samples));
  }

  /** {@code count} echo queries, {@code window} in flight. */
  Future<Long> windowed(String type, int count, int window) {
    long start = System.nanoTime();
    return new Window(count, window, echo(type)).run().map(end -> end - start);
  }

  private Supplier<Future<?>> echo(String type) {
    return () -> bus.query(Message.query(type, body));
  }

  /** One query whose handler takes {@code n} items from the {@code bench.Items} callback. */
  Future<Long> itemsToPython(String type, int n) {
    return counted(type, new JsonObject().put("n", n), n);
  }

  /** One query whose handler makes {@code k} one-item callbacks in a row. */
  Future<Long> callbacks(String type, int k) {
    return counted(type, new JsonObject().put("k", k), k);
  }

  private Future<Long> counted(String type, JsonObject request, int expected) {
    long start = System.nanoTime();
    return bus.query(Message.query(type, request)).compose(reply -> {
      long elapsed = System.nanoTime() - start;
      Integer count = reply.json().getInteger("count");
      return count != null && count == expected ? Future.succeededFuture(elapsed)
          : Future.failedFuture(new BenchFailure(type + " counted " + count + " instead of " + expected));
    });
  }

  /** One query stream of {@code n} items from an async generator. */
  Future<Long> itemsFromPython(String type, int n) {
    long start = System.nanoTime();
    return bus.queryStream(Message.query(type, new JsonObject().put("n", n))).compose(stream -> {
      Promise<Long> ended = Promise.promise();
      int[] seen = {0};
      stream.exceptionHandler(ended::tryFail);
      stream.endHandler(v -> {
        long elapsed = System.nanoTime() - start;
        if (seen[0] == n) {
          ended.tryComplete(elapsed);
        } else {
          ended.tryFail(new BenchFailure(type + " streamed " + seen[0] + " items instead of " + n));
        }
      });
      stream.handler(item -> seen[0]++);
      return ended.future();
    });
  }
}
