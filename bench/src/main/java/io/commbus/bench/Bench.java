package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs the chosen suites on one fresh Vert.x instance and returns the report. Both sides of
 * every comparison share that instance, its event loops and the same bodies, so the only
 * difference between them is CommBus itself. Blocks the calling thread, which must not be an
 * event loop.
 */
public final class Bench {

  private static final long SETUP_SECONDS = 30;

  private final BenchOptions options;
  private final Consumer<String> progress;

  public Bench(BenchOptions options, Consumer<String> progress) {
    this.options = options;
    this.progress = progress;
  }

  public Report run() {
    // Process verticles and the client endpoint need the native transport for Unix sockets. The
    // local event bus and the file journal do not use a transport at all; only the PostgreSQL
    // client's TCP connection moves from NIO to epoll.
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      Loops loops = await(Loops.start(vertx), "start the event loops");
      Rounds rounds = new Rounds(loops, options.warmups(), options.rounds(), options.runTimeout());
      List<Row> rows = new ArrayList<>();
      for (Suite suite : options.suites()) {
        progress.accept(suite.cliName() + ": " + options.count(suite) + " per run, " + options.warmups()
            + " warm-up + " + options.rounds() + " measured run(s) per side");
        rows.addAll(measure(scenario(suite, vertx, loops), rounds, options.count(suite), suite));
      }
      return new Report(Environment.describe(options), rows);
    } finally {
      await(vertx.close(), "close Vert.x");
    }
  }

  private List<Row> measure(Scenario scenario, Rounds rounds, int count, Suite suite) {
    await(scenario.open(), "register the " + suite.cliName() + " consumers");
    List<Row> rows;
    try {
      rows = scenario.measure(rounds, count);
    } finally {
      await(scenario.close(), "unregister the " + suite.cliName() + " consumers");
    }
    for (Row row : rows) {
      if (!row.plausible()) {
        throw new BenchFailure("implausible result for " + row.operation() + ": " + row);
      }
    }
    return rows;
  }

  private Scenario scenario(Suite suite, Vertx vertx, Loops loops) {
    switch (suite) {
      case PUBLISH:
        return new PublishScenario(vertx, loops);
      case SEND:
        return new SendScenario(vertx, loops);
      case QUERY:
        return new QueryScenario(vertx, loops, options.queryWindow());
      case JOURNAL:
        return new JournalScenario(vertx);
      case DISPATCH:
        return new DispatchScenario(vertx, loops, options.queryWindow(), options.latencyCount());
      case PROCESS:
        return new ProcessScenario(vertx, loops, options.process(), options.queryWindow());
      case CLIENTS:
        return new ClientScenario(vertx, loops, options.clients(), options.queryWindow());
      case PIPELINE:
        return new PipelineScenario(vertx, loops, options.pipeline());
      default:
        return new LatencyScenario(vertx, loops);
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.await(SETUP_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new BenchFailure("could not " + what + " within " + SETUP_SECONDS + " s", e);
    }
  }
}
