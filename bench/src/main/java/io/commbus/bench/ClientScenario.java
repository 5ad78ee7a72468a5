package io.commbus.bench;

import io.commbus.bench.CpuMeter.Metered;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.bus.journal.file.FsyncPolicy;
import io.commbus.process.ProcessOptions;
import io.commbus.process.ProcessVerticle;
import io.commbus.process.client.ClientEndpoint;
import io.commbus.process.client.ClientEndpointOptions;
import io.commbus.process.client.ClientGrant;
import io.commbus.process.pool.RuntimeDirectory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The node's client endpoint, with Python programs the node did not start
 * ({@code bench/python/client_worker.py}, on the SDK the pools use).
 *
 * <p><b>Attached workers:</b> Java {@code bus.query}s a type that an external client serves
 * ({@code bus.serve} with an async echo handler), over the Unix socket and over TLS on
 * loopback, beside the same handler in the SDK child of a pool of one on the same node. The
 * endpoint and the pool are both on the receiver loop, the same driver asks all three in
 * rotation, so each ratio is what serving from outside costs against serving from a child.
 *
 * <p><b>Publish:</b> an external client publishes with {@code window} publishes in flight into a
 * file journal (fsync=interval:10), beside Java's {@code bus.publish} with the same window into
 * the same kind of journal; each run gets a fresh journal (and for the client a fresh bus and
 * endpoint on it, since an endpoint's bus is fixed), as the journal suite does.
 *
 * <p><b>Against gRPC:</b> an external client queries a plain Java echo handler on the node over
 * the Unix socket ({@code bus.query} with {@code window} loops in flight), beside the same
 * request/reply through gRPC: a grpcio ({@code grpc.aio}) client with as many loops calling a
 * generic bytes method of a grpc-java server in this JVM ({@link GrpcEcho}) that echoes the
 * bytes back, over a Unix socket too. Both clients run on {@link #SYSTEM_PYTHON}, where Debian's
 * {@code python3-grpcio} installs; the SDK is standard library only, so it runs there as well.
 * Each client times its own runs, from its first call to its last reply.
 */
final class ClientScenario implements Scenario {

  /** Attached worker over the Unix socket against the pool child. */
  static final double UNIX_GOAL = 0.9;
  /** Attached worker over TLS on loopback against the pool child. */
  static final double TLS_GOAL = 0.7;
  /** Java API publishes per run for each of the Python client's. */
  static final int JAVA_PUBLISH_FACTOR = 5;
  static final FsyncPolicy FSYNC = FsyncPolicy.interval(Duration.ofMillis(10));
  /**
   * Untimed runs, before the rounds, of the two paths only one side uses: the TLS side (one
   * sequential and one windowed run each) and the client's publishes. C2 was still compiling
   * the TLS path (the JDK's SSLEngine, AES-GCM, Netty's SslHandler) some 15,000 round trips in,
   * and the endpoint's publish path some 100,000 publishes in, long after the event-bus and
   * Unix-socket code the rounds' own two warm-up runs cover: without these, compiling took
   * 50-200 µs of CPU per TLS request and 15-70 µs per client publish in the first measured
   * runs. Windowed runs alone do not compile the sequential TLS path. The gRPC row's querying
   * client gets as many, since no other row sends queries from a client to a Java handler.
   */
  static final int EXTRA_WARMUPS = 3;
  /** The external client's queries against gRPC's calls, at {@code window} in flight. */
  static final double GRPC_GOAL = 3.0;
  /**
   * Requests per run through gRPC are the windowed size divided by this: grpcio's calls are two
   * to three times slower, so a run still lasts a few tenths of a second, and the gRPC side's
   * long warm-up ({@link #GRPC_WARMUPS} runs) stays short.
   */
  static final int GRPC_DIVISOR = 4;
  /**
   * Untimed runs of the gRPC side before the rounds (and their two warm-up runs). C2 goes on
   * compiling grpc-java's server path (shaded Netty's HTTP/2 codec, HPACK, the call machinery)
   * for some 45,000 calls: over the first runs of 5,000 the JVM spent 220 µs of CPU per call at
   * first and under 30 µs only from the ninth on, its compilation time rising until about the
   * tenth, and the compiler's threads took a core from the grpcio client on two cores. With only
   * the rounds' two warm-up runs, gRPC ran at half its settled rate.
   */
  static final int GRPC_WARMUPS = 10;
  /** The interpreter both clients of the gRPC row run on: Debian's, where python3-grpcio installs. */
  static final Path SYSTEM_PYTHON = Path.of("/usr/bin/python3");

  private static final String UNIX = "unix client";
  private static final String TLS = "tls client";
  private static final String CHILD = "pool child";
  private static final String CLIENT = "python client";
  private static final String JAVA = "java api";
  private static final String QUERIER = "sdk client";
  private static final String GRPC = "grpcio client";
  private static final String UNIX_TYPE = "bench.client.unix.echo";
  private static final String TLS_TYPE = "bench.client.tls.echo";
  private static final String CHILD_TYPE = "bench.child.echo";
  private static final String PUBLISH_TYPE = "bench.client.Published";
  private static final String QUERY_TYPE = "bench.client.query.echo";
  private static final String TOKEN_NAME = "bench";
  private static final long SETUP_SECONDS = 60;

  private final Vertx vertx;
  private final Loops loops;
  private final ClientSizes sizes;
  private final int window;
  private final CommBus bus;
  private final ChildWorkloads runs;
  private final LoopPlacement placement;
  private final JsonObject body = Payloads.request();
  private final String token = HexFormat.of().formatHex(randomBytes(32));
  private final List<ExternalClient> clients = new ArrayList<>();
  private PythonFiles files;
  private Path python;
  private Path sdk;
  private Path journals;
  private SelfSignedCertificate certificate;
  /** What {@link #SYSTEM_PYTHON} says it is: its version and grpcio's. */
  private String grpcio;

  /** One side of a request/reply comparison: the type that reaches it and the process that answers it. */
  private record Side(String name, String type, long pid) {
  }

  ClientScenario(Vertx vertx, Loops loops, ClientSizes sizes, int window) {
    this.vertx = vertx;
    this.loops = loops;
    this.sizes = sizes;
    this.window = window;
    this.bus = CommBus.create(vertx);
    this.runs = new ChildWorkloads(bus);
    this.placement = new LoopPlacement(vertx);
  }

  @Override
  public Future<Void> open() {
    return vertx.executeBlocking(() -> {
      // First, so a missing grpcio fails the suite before anything is made that close() must remove.
      grpcio = grpcioVersions();
      python = PythonInterpreter.resolve();
      files = PythonFiles.extract();
      // The SDK the pools unpack from the jar, so the client and the child run the same code.
      sdk = RuntimeDirectory.create(files.directory(), "bench clients").extractPythonSdk();
      certificate = SelfSignedCertificate.generate(files.directory());
      journals = Files.createDirectory(files.directory().resolve("journals"));
      return null;
    }, false);
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    List<Row> rows = new ArrayList<>(requestRows(rounds));
    rows.add(publishRow(rounds));
    rows.add(grpcRow(rounds));
    return rows;
  }

  // ---- attached workers

  private List<Row> requestRows(Rounds rounds) {
    ClientEndpoint endpoint = new ClientEndpoint(bus, endpointOptions().setTcp("127.0.0.1", 0)
        .setTls(new ClientEndpointOptions.TlsFiles(certificate.certificate(), certificate.key(), null)));
    ProcessVerticle pool = new ChildPools(bus, files, python).sdk(CHILD_TYPE, "echo");
    List<String> ids = await(loops.onReceiver(() -> placement.deployHere(endpoint)
        .compose(first -> placement.deployHere(pool).map(second -> List.of(first, second))
            .recover(e -> vertx.undeploy(first).transform(ar -> Future.failedFuture(e))))),
        "start the client endpoint and the pool");
    List<ExternalClient> workers = new ArrayList<>();
    try {
      // The child's limit on requests at once, so neither side is held back by its own.
      String concurrency = Integer.toString(new ProcessOptions().getMaxInFlight());
      workers.add(startClient("unix-worker", "serve", "unix://" + endpoint.socketPath(), UNIX_TYPE, concurrency));
      workers.add(startClient("tls-worker", "serve", "tls://127.0.0.1:" + endpoint.tcpPort(), TLS_TYPE, concurrency,
          certificate.certificate().toString()));
      await(vertx.executeBlocking(() -> {
        workers.forEach(worker -> worker.expect("serving"));
        return null;
      }, false), "have the external clients serve");
      long childPid = await(pool.children(), "list the pool's child").getJsonObject(0).getLong("pid");
      Side tls = new Side(TLS, TLS_TYPE, workers.get(1).pid());
      List<Side> sides = List.of(new Side(UNIX, UNIX_TYPE, workers.get(0).pid()), tls,
          new Side(CHILD, CHILD_TYPE, childPid));
      warmUp(tls);
      List<Row> rows = new ArrayList<>(sequentialRows(rounds, sides));
      rows.addAll(windowedRows(rounds, sides));
      // In table order: Unix 1, Unix 64, TLS 1, TLS 64.
      return List.of(rows.get(0), rows.get(2), rows.get(1), rows.get(3));
    } finally {
      await(vertx.executeBlocking(() -> {
        workers.forEach(this::stop);
        return null;
      }, false), "stop the external clients");
      await(Future.join(ids.stream().map(vertx::undeploy).collect(Collectors.toList())),
          "stop the client endpoint and the pool");
    }
  }

  private void warmUp(Side side) {
    for (int i = 0; i < EXTRA_WARMUPS; i++) {
      await(loops.onDriver(() -> runs.sequential(side.type(), sizes.sequential())), "warm up the " + side.name());
      await(loops.onDriver(() -> runs.windowed(side.type(), sizes.requests(), window)), "warm up the " + side.name());
    }
  }

  private List<Row> sequentialRows(Rounds rounds, List<Side> sides) {
    int count = sizes.sequential();
    Map<String, List<Metered<ProbeRun>>> probes = rounds.measure(sides.stream().map(side -> new Contender<>(
        side.name(), n -> CpuMeter.around(side.pid(), () -> runs.sequential(side.type(), n)))).toList(), count);
    List<Row> rows = new ArrayList<>();
    for (String client : List.of(UNIX, TLS)) {
      List<Double> ours = Throughput.opsPerSecond(count, probes.get(client).stream()
          .map(run -> run.result().nanos()).toList());
      List<Double> child = Throughput.opsPerSecond(count, probes.get(CHILD).stream()
          .map(run -> run.result().nanos()).toList());
      long[] ourLatencies = latencies(probes.get(client));
      long[] childLatencies = latencies(probes.get(CHILD));
      String latencies = String.format(Locale.ROOT, "; latency p50 %s %.1f µs, %s %.1f µs; p99 %s %.1f µs, %s %.1f µs",
          client, Stats.percentile(ourLatencies, 50) / 1e3, CHILD, Stats.percentile(childLatencies, 50) / 1e3,
          client, Stats.percentile(ourLatencies, 99) / 1e3, CHILD, Stats.percentile(childLatencies, 99) / 1e3);
      rows.add(requestRow(client, "1 in flight", ours, child,
          latencies + cpu("request", count, probes, client, CHILD)));
    }
    return rows;
  }

  private static long[] latencies(List<Metered<ProbeRun>> runs) {
    return Stats.sortedUnion(runs.stream().map(run -> run.result().latencies()).toList());
  }

  private List<Row> windowedRows(Rounds rounds, List<Side> sides) {
    int count = sizes.requests();
    Map<String, List<Metered<Long>>> results = rounds.measure(sides.stream().map(side -> new Contender<>(
        side.name(), n -> CpuMeter.around(side.pid(), () -> runs.windowed(side.type(), n, window)))).toList(), count);
    List<Row> rows = new ArrayList<>();
    for (String client : List.of(UNIX, TLS)) {
      List<Double> ours = Throughput.opsPerSecond(count, results.get(client).stream().map(Metered::result).toList());
      List<Double> child = Throughput.opsPerSecond(count, results.get(CHILD).stream().map(Metered::result).toList());
      rows.add(requestRow(client, window + " in flight", ours, child, cpu("request", count, results, client, CHILD)));
    }
    return rows;
  }

  private Row requestRow(String client, String inFlight, List<Double> ours, List<Double> child, String more) {
    boolean unix = client.equals(UNIX);
    double goal = unix ? UNIX_GOAL : TLS_GOAL;
    double ratio = Stats.median(ours) / Stats.median(child);
    String operation = "attached worker, " + (unix ? "unix socket" : "TLS loopback") + ", request/reply ("
        + inFlight + ")";
    return new Row(operation, Row.OPS, Stats.median(ours), Stats.median(child), true,
        Throughput.spread(Row.OPS, client, ours, CHILD, child) + more
            + String.format(Locale.ROOT, "; goal >= %.2f of the pool child: %s", goal,
                ratio >= goal ? "met" : "missed"));
  }

  // ---- publish

  private Row publishRow(Rounds rounds) {
    ExternalClient publisher = await(vertx.executeBlocking(() -> startClient("publisher", "publish"), false),
        "start the publishing client");
    Map<String, List<Metered<Long>>> results;
    try {
      for (int i = 0; i < EXTRA_WARMUPS; i++) {
        await(loops.onDriver(() -> clientPublishes(publisher, sizes.publishes())), "warm up the publishing client");
      }
      results = rounds.measure(List.of(
          new Contender<>(CLIENT, n -> clientPublishes(publisher, n)),
          new Contender<>(JAVA, n -> javaPublishes(n * JAVA_PUBLISH_FACTOR))), sizes.publishes());
    } finally {
      await(vertx.executeBlocking(() -> {
        stop(publisher);
        return null;
      }, false), "stop the publishing client");
    }
    int clientCount = sizes.publishes();
    int javaCount = clientCount * JAVA_PUBLISH_FACTOR;
    List<Double> ours = Throughput.opsPerSecond(clientCount,
        results.get(CLIENT).stream().map(Metered::result).toList());
    List<Double> java = Throughput.opsPerSecond(javaCount, results.get(JAVA).stream().map(Metered::result).toList());
    double clientUnits = (double) clientCount * results.get(CLIENT).size();
    double javaUnits = (double) javaCount * results.get(JAVA).size();
    String cpu = String.format(Locale.ROOT, "; CPU per publish: %s %.1f µs + JVM %.1f µs, %s JVM %.1f µs; "
            + "%,d publishes per run by the client, %,d by the Java API",
        CLIENT, results.get(CLIENT).stream().mapToLong(Metered::childNanos).sum() / clientUnits / 1e3,
        results.get(CLIENT).stream().mapToLong(Metered::jvmNanos).sum() / clientUnits / 1e3,
        JAVA, results.get(JAVA).stream().mapToLong(Metered::jvmNanos).sum() / javaUnits / 1e3, clientCount, javaCount);
    return new Row("external client publish (" + window + " in flight), journal fsync=" + FSYNC + ", vs Java API",
        Row.OPS, Stats.median(ours), Stats.median(java), true,
        Throughput.spread(Row.OPS, CLIENT, ours, JAVA, java) + cpu);
  }

  /**
   * One client run: a fresh journal, a bus on it and an endpoint on that bus (on the receiver
   * loop), then the client connects, publishes {@code n} with {@code window} in flight and
   * says how long it took from its first publish to its last acknowledgement. The processor
   * time is metered around the client's run only, not around the setup.
   */
  private Future<Metered<Long>> clientPublishes(ExternalClient publisher, int n) {
    return withJournal(n, journal -> {
      CommBus journalled = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
      ClientEndpoint endpoint = new ClientEndpoint(journalled, endpointOptions());
      String command = "run unix://%s " + PUBLISH_TYPE + " " + n + " " + window;
      return loops.onReceiver(() -> placement.deployHere(endpoint)).compose(id -> CpuMeter.around(publisher.pid(),
              () -> vertx.executeBlocking(() -> publisher.ask(String.format(command, endpoint.socketPath())), false))
          .eventually(() -> vertx.undeploy(id)))
          .eventually(journalled::close)
          .compose(answer -> {
            String[] words = answer.result().split(" ");
            if (words.length != 4 || !words[0].equals("done") || Long.parseLong(words[3]) != n) {
              return Future.failedFuture(new BenchFailure("the publishing client answered '" + answer.result()
                  + "' to a run of " + n));
            }
            return Future.succeededFuture(new Metered<>(Long.parseLong(words[2]), answer.childNanos(),
                answer.jvmNanos()));
          });
    });
  }

  /** One Java run: a fresh journal, a bus on it, {@code n} publishes with {@code window} in flight. */
  private Future<Metered<Long>> javaPublishes(int n) {
    return withJournal(n, journal -> {
      CommBus journalled = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
      // No process of its own: pid -1 has no /proc entry, which CpuMeter reads as 0.
      return CpuMeter.around(-1, () -> {
        long start = System.nanoTime();
        return new Window(n, window, () -> journalled.publish(Message.event(PUBLISH_TYPE, body))).run()
            .map(end -> end - start);
      }).eventually(journalled::close);
    });
  }

  /** Runs {@code run} on a fresh file journal, checks it holds {@code n} events, and removes it. */
  private <T> Future<T> withJournal(int n, Function<EventJournal, Future<T>> run) {
    Path directory = journals.resolve(UUID.randomUUID().toString());
    return FileJournal.open(vertx, new FileJournalOptions(directory).setFsync(FSYNC)).compose(journal ->
        run.apply(journal).compose(result -> journal.lastPosition().compose(last -> last == n
            ? Future.succeededFuture(result)
            : Future.<T>failedFuture(new BenchFailure("the journal holds " + last + " events after a run of " + n))))
            .eventually(journal::close))
        .eventually(() -> vertx.executeBlocking(() -> {
          delete(directory);
          return null;
        }, false));
  }

  // ---- against gRPC

  private Row grpcRow(Rounds rounds) {
    // The same work as the gRPC server: the request's body back, from the endpoint's loop.
    Registration echo = await(loops.onReceiver(() -> bus.registerHandler(QUERY_TYPE,
        query -> Future.succeededFuture(query.body()))), "register the Java echo handler");
    List<ExternalClient> started = new ArrayList<>();
    GrpcEcho grpc = null;
    String id = null;
    Map<String, List<Metered<Long>>> results;
    try {
      ClientEndpoint endpoint = new ClientEndpoint(bus, endpointOptions());
      id = await(loops.onReceiver(() -> placement.deployHere(endpoint)), "start the client endpoint");
      grpc = await(vertx.executeBlocking(() -> GrpcEcho.start(files.file("grpc.sock")), false),
          "start the gRPC echo server");
      String target = grpc.target();
      ExternalClient querier = await(vertx.executeBlocking(() -> startClient(SYSTEM_PYTHON, "querier", "query",
          "unix://" + endpoint.socketPath(), QUERY_TYPE), false), "start the querying client");
      started.add(querier);
      ExternalClient grpcClient = await(vertx.executeBlocking(() -> startClient(SYSTEM_PYTHON, "grpc-client", "grpc",
          target, GrpcEcho.PATH), false), "start the gRPC client");
      started.add(grpcClient);
      await(vertx.executeBlocking(() -> {
        querier.expect("ready");
        String ready = grpcClient.readLine();
        if (!ready.startsWith("ready grpcio ")) {
          throw new BenchFailure("the gRPC client printed '" + ready + "' instead of 'ready grpcio VERSION'");
        }
        return null;
      }, false), "have both clients connect");
      List<Contender<Metered<Long>>> contenders = List.of(
          new Contender<>(QUERIER, n -> calls(querier, n)),
          new Contender<>(GRPC, n -> calls(grpcClient, grpcCount(n))));
      for (int i = 0; i < EXTRA_WARMUPS; i++) {
        await(loops.onDriver(() -> calls(querier, sizes.requests())), "warm up the querying client");
      }
      for (int i = 0; i < GRPC_WARMUPS; i++) {
        await(loops.onDriver(() -> calls(grpcClient, grpcCount(sizes.requests()))), "warm up the gRPC server");
      }
      results = rounds.measure(contenders, sizes.requests());
    } finally {
      GrpcEcho server = grpc;
      await(vertx.executeBlocking(() -> {
        started.forEach(this::stop);
        if (server != null) {
          server.close();
        }
        return null;
      }, false), "stop the gRPC row's clients and server");
      if (id != null) {
        await(vertx.undeploy(id), "stop the client endpoint");
      }
      await(echo.unregister(), "unregister the Java echo handler");
    }
    int ourCount = sizes.requests();
    int grpcCount = grpcCount(ourCount);
    List<Double> ours = Throughput.opsPerSecond(ourCount, results.get(QUERIER).stream().map(Metered::result).toList());
    List<Double> theirs = Throughput.opsPerSecond(grpcCount, results.get(GRPC).stream().map(Metered::result).toList());
    double ratio = Stats.median(ours) / Stats.median(theirs);
    String more = String.format(Locale.ROOT, "; CPU per request:%s,%s; %,d requests per run through the SDK, %,d "
            + "through gRPC; both clients on %s (Python %s), grpc-java %s; goal >= %.2f times gRPC: %s",
        perOp(QUERIER, ourCount, results.get(QUERIER)), perOp(GRPC, grpcCount, results.get(GRPC)), ourCount,
        grpcCount, SYSTEM_PYTHON, grpcio, GrpcEcho.VERSION, GRPC_GOAL, ratio >= GRPC_GOAL ? "met" : "missed");
    return new Row("external client request/reply (" + window + " in flight), unix socket, vs gRPC unix socket",
        Row.OPS, Stats.median(ours), Stats.median(theirs), true,
        Throughput.spread(Row.OPS, QUERIER, ours, GRPC, theirs) + more);
  }

  static int grpcCount(int requests) {
    return Math.max(1, requests / GRPC_DIVISOR);
  }

  /** One run of {@code n} calls by a client in {@code query} or {@code grpc} mode, metered around its answer. */
  private Future<Metered<Long>> calls(ExternalClient client, int n) {
    return CpuMeter.around(client.pid(), () -> vertx.executeBlocking(() -> client.ask("run " + n + " " + window),
            false))
        .compose(answer -> {
          String[] words = answer.result().split(" ");
          if (words.length != 3 || !words[0].equals("done") || Long.parseLong(words[1]) != n) {
            return Future.failedFuture(new BenchFailure("a client answered '" + answer.result() + "' to a run of "
                + n));
          }
          return Future.succeededFuture(new Metered<>(Long.parseLong(words[2]), answer.childNanos(),
              answer.jvmNanos()));
        });
  }

  /** {@link #SYSTEM_PYTHON}'s version and grpcio's; fails, saying how to install it, when grpcio is missing. */
  private static String grpcioVersions() {
    String needs = "the clients suite's gRPC row needs grpcio for " + SYSTEM_PYTHON
        + " (Debian: apt-get install python3-grpcio), but ";
    try {
      Process check = new ProcessBuilder(SYSTEM_PYTHON.toString(), "-c",
          "import sys, grpc; print(sys.version.split()[0] + ', grpcio ' + grpc.__version__)")
          .redirectErrorStream(true).start();
      String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!check.waitFor(SETUP_SECONDS, TimeUnit.SECONDS) || check.exitValue() != 0) {
        throw new BenchFailure(needs + "it cannot import grpc:\n" + said);
      }
      return said;
    } catch (IOException e) {
      throw new BenchFailure(needs + "it cannot be run (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchFailure("interrupted while checking " + SYSTEM_PYTHON + " for grpcio", e);
    }
  }

  // ---- helpers

  private ClientEndpointOptions endpointOptions() {
    return new ClientEndpointOptions().setRuntimeDirectory(files.directory())
        .addGrant(ClientGrant.everything(TOKEN_NAME, token));
  }

  /** Starts an external client on the suite's interpreter (blocks). */
  private ExternalClient startClient(String name, String... args) {
    return startClient(python, name, args);
  }

  /** Starts an external client on {@code interpreter} (blocks). */
  private ExternalClient startClient(Path interpreter, String name, String... args) {
    ExternalClient client = ExternalClient.start(name, interpreter, files, sdk, token, List.of(args));
    synchronized (clients) {
      clients.add(client);
    }
    return client;
  }

  private void stop(ExternalClient client) {
    client.close();
    synchronized (clients) {
      clients.remove(client);
    }
  }

  /** Processor time per operation of one side over all its measured runs: its process's and the JVM's. */
  private static <T> String perOp(String side, int count, List<Metered<T>> measured) {
    double units = (double) count * measured.size();
    return String.format(Locale.ROOT, " %s %.1f µs + JVM %.1f µs", side,
        measured.stream().mapToLong(Metered::childNanos).sum() / units / 1e3,
        measured.stream().mapToLong(Metered::jvmNanos).sum() / units / 1e3);
  }

  /** Processor time per request over every measured run, in the answering process and in the JVM. */
  private static <T> String cpu(String noun, int count, Map<String, List<Metered<T>>> runs, String... sides) {
    List<String> parts = new ArrayList<>();
    for (String side : sides) {
      parts.add(perOp(side, count, runs.get(side)));
    }
    return "; CPU per " + noun + ":" + String.join(",", parts);
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }

  private static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + root, e);
    }
  }

  private static <T> T await(Future<T> future, String what) {
    try {
      return future.await(SETUP_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new BenchFailure("could not " + what + " within " + SETUP_SECONDS + " s", e);
    }
  }

  @Override
  public Future<Void> close() {
    return bus.close().compose(v -> vertx.executeBlocking(() -> {
      List<ExternalClient> left;
      synchronized (clients) {
        left = new ArrayList<>(clients);
      }
      left.forEach(this::stop);
      if (files != null) {
        files.delete();
      }
      return null;
    }, false));
  }
}
