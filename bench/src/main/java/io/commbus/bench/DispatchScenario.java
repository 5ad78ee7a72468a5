package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.coordinator.DispatchTarget;
import io.commbus.coordinator.Dispatcher;
import io.commbus.coordinator.DispatcherOptions;
import io.commbus.coordinator.RegistryOptions;
import io.commbus.coordinator.ServiceDescriptor;
import io.commbus.coordinator.ServiceRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Dispatch through the coordinator beside a direct {@code query} to the same handler, in one
 * run. The service is served by another dispatcher (another bus on the same Vert.x), so both
 * sides cross the event bus; the dispatch side adds the registry lookup, the load limit and
 * the retry wrapper.
 */
final class DispatchScenario implements Scenario {

  private static final String SERVICE = "bench_service";
  private static final String DISPATCH = "dispatch";
  private static final String DIRECT = "direct query";

  private final Vertx vertx;
  private final Loops loops;
  private final int window;
  private final int latencyCount;
  private final JsonObject body = Payloads.request();
  private final JsonObject reply = Payloads.reply();
  private FileJournal journal;
  private ServiceRegistry registry;
  private CommBus bus;
  private Dispatcher caller;
  private Path directory;
  private long heartbeats = -1;

  DispatchScenario(Vertx vertx, Loops loops, int window, int latencyCount) {
    this.vertx = vertx;
    this.loops = loops;
    this.window = window;
    this.latencyCount = latencyCount;
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> Files.createTempDirectory("commbus-bench-dispatch"))
        .compose(dir -> {
          directory = dir;
          return FileJournal.open(vertx, new FileJournalOptions(dir));
        })
        .compose(opened -> {
          journal = opened;
          bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
          return ServiceRegistry.start(vertx, bus, new RegistryOptions());
        })
        .compose(started -> {
          registry = started;
          caller = new Dispatcher(vertx, bus, registry, new DispatcherOptions());
          // A live service heartbeats; runs outlast the registry's time-to-live.
          heartbeats = vertx.setPeriodic(1000, id -> registry.heartbeat(SERVICE));
          Dispatcher server = new Dispatcher(vertx, CommBus.create(vertx), registry, new DispatcherOptions());
          return registry.registerService(ServiceDescriptor.of(SERVICE, "bench").withMaxConcurrent(window * 2))
              .compose(ok -> loops.onReceiver(() -> server.registerHandler(SERVICE,
                  m -> Future.succeededFuture(reply)).mapEmpty()));
        });
  }

  private Future<?> dispatchOne() {
    return caller.dispatch(new DispatchTarget(SERVICE, "run").maxRetries(0), Message.query("request", body));
  }

  private Future<?> queryOne() {
    return bus.query(Message.query(Dispatcher.serviceType(SERVICE), body));
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Map<String, List<Long>> nanos = rounds.measure(List.of(
        new Contender<>(DISPATCH, n -> timed(n, this::dispatchOne)),
        new Contender<>(DIRECT, n -> timed(n, this::queryOne))), count);
    Row throughput = Throughput.row("dispatch (" + window + " in flight) vs direct query",
        Throughput.opsPerSecond(count, nanos.get(DISPATCH)), Throughput.opsPerSecond(count, nanos.get(DIRECT)));
    Map<String, List<long[]>> samples = rounds.measure(List.of(
        new Contender<>(DISPATCH, n -> new LatencyProbe(n, this::dispatchOne).run()),
        new Contender<>(DIRECT, n -> new LatencyProbe(n, this::queryOne).run())), latencyCount);
    long[] ours = Stats.sortedUnion(samples.get(DISPATCH));
    long[] direct = Stats.sortedUnion(samples.get(DIRECT));
    String spread = String.format(Locale.ROOT, "p99 dispatch %.1f µs, direct %.1f µs",
        Stats.percentile(ours, 99) / 1e3, Stats.percentile(direct, 99) / 1e3);
    Row latency = new Row("dispatch latency p50 (sequential) vs direct query", Row.MICROS,
        Stats.percentile(ours, 50) / 1e3, Stats.percentile(direct, 50) / 1e3, false, spread);
    return List.of(throughput, latency);
  }

  private Future<Long> timed(int count, Supplier<Future<?>> op) {
    long start = System.nanoTime();
    return new Window(count, window, op).run().map(end -> end - start);
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(heartbeats);
    return registry.stop().compose(v -> journal.close()).compose(v -> vertx.executeBlocking(() -> {
      try (var files = Files.walk(directory)) {
        files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
      }
      return null;
    }));
  }
}
