package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.EventJournal;
import io.commbus.bus.journal.file.FileCheckpointStore;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.bus.journal.file.FsyncPolicy;
import io.commbus.process.client.ClientEndpoint;
import io.commbus.process.client.ClientEndpointOptions;
import io.commbus.process.client.ClientGrant;
import io.commbus.process.client.GroupStores;
import io.commbus.process.pipeline.SessionOptions;
import io.commbus.process.pipeline.SessionService;
import io.commbus.process.pipeline.Sessions;
import io.commbus.process.wire.Protocol.Permission;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Java side for the Python SDK's own tests (python-sdk/tests): a node with test
 * callbacks and handlers that a pytest session drives with one JSON command per stdin line
 * and one JSON answer per stdout line. Logs go to stderr.
 *
 * <p>Commands: {@code deploy} (name, module, function, path, callbacks), {@code query} and
 * {@code stream} (type, payload or payload_b64, timeout_ms), {@code children} (name),
 * {@code undeploy} (name), {@code endpoint} (starts a client endpoint: tokens [{name, token,
 * allow, serve, groups}], socket, tls {certificate, key, clientCa}, max_connections, max_in_flight,
 * stall_timeout_ms, write_queue_bytes, ping_interval_ms; answers its socket, tcp port and token file),
 * {@code endpoint_status}, {@code endpoint_stop}, {@code sessions} (starts the pipeline sessions: path),
 * {@code quit}. Answers: {@code {"ok": ...}} or {@code {"error":
 * {"code", "message", "remoteType", "remoteTrace", "reason"}}}.
 */
public final class SdkTestNode {

  private final Vertx vertx;
  private final CommBus bus;
  private Sessions sessions;
  private final Path runtime;
  private final Map<String, String> deployments = new HashMap<>();
  private final Map<String, ProcessVerticle> pools = new HashMap<>();
  private final PrintStream out;
  private ClientEndpoint endpoint;
  private String endpointDeployment;

  private SdkTestNode(Vertx vertx, EventJournal journal, Path runtime, PrintStream out) {
    this.vertx = vertx;
    // A journal, so that publish answers positions and replay has something to replay.
    this.bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    this.runtime = runtime;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Path runtime = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    EventJournal journal = FileJournal.open(vertx, new FileJournalOptions(runtime.resolve("journal"))
        .setFsync(FsyncPolicy.NEVER)).await(30, TimeUnit.SECONDS);
    SdkTestNode node = new SdkTestNode(vertx, journal, runtime, out);
    node.registerTestHandlers();
    out.println(new JsonObject().put("ok", "ready").encode());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      JsonObject command = new JsonObject(line);
      if ("quit".equals(command.getString("op"))) {
        break;
      }
      JsonObject answer;
      try {
        answer = node.run(command).map(v -> new JsonObject().put("ok", v))
            .recover(e -> Future.succeededFuture(new JsonObject().put("error", describe(e))))
            .await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        answer = new JsonObject().put("error", describe(e));
      }
      out.println(answer.encode());
    }
    if (node.sessions != null) {
      node.sessions.close().await(30, TimeUnit.SECONDS);
    }
    if (node.endpointDeployment != null) {
      vertx.undeploy(node.endpointDeployment).await(30, TimeUnit.SECONDS);
    }
    for (String id : node.deployments.values()) {
      vertx.undeploy(id).await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static JsonObject describe(Throwable e) {
    CommBusException error = CommBusException.wrap(e, ErrorCode.INTERNAL);
    JsonObject json = new JsonObject().put("code", error.code().name()).put("message", String.valueOf(e.getMessage()));
    if (error.remoteType() != null) {
      json.put("remoteType", error.remoteType());
    }
    if (error.remoteTrace() != null) {
      json.put("remoteTrace", error.remoteTrace());
    }
    if (e instanceof HandshakeException) {
      json.put("reason", ((HandshakeException) e).reason().wireName());
    }
    return json;
  }

  private Future<Object> run(JsonObject command) {
    switch (command.getString("op")) {
      case "deploy":
        return deploy(command);
      case "undeploy": {
        String id = deployments.remove(command.getString("name"));
        pools.remove(command.getString("name"));
        return id == null ? Future.succeededFuture(false) : vertx.undeploy(id).map(true);
      }
      case "children":
        return pools.get(command.getString("name")).children().map(c -> c);
      case "query":
        return bus.query(request(command), timeout(command)).map(reply -> wire(reply.body()));
      case "stream":
        return stream(command);
      case "endpoint":
        return startEndpoint(command);
      case "endpoint_status":
        return endpoint.status().map(status -> status);
      case "sessions":
        return startSessions(command);
      case "endpoint_stop": {
        String id = endpointDeployment;
        endpointDeployment = null;
        return vertx.undeploy(id).map(true);
      }
      default:
        return Future.failedFuture(new IllegalArgumentException("unknown op " + command.getString("op")));
    }
  }

  /** Starts the node's pipeline sessions and their bus types; {@code path}: where the nodes' modules are. */
  private Future<Object> startSessions(JsonObject command) {
    PythonProcessConfig python = new PythonProcessConfig();
    for (Object path : command.getJsonArray("path", new JsonArray())) {
      python.addPythonPath(Path.of((String) path));
    }
    python.getProcess().setRuntimeDirectory(runtime).setShutdownGrace(Duration.ofSeconds(2));
    return Sessions.start(vertx, bus, new SessionOptions().setPython(python)).compose(started -> {
      sessions = started;
      return SessionService.register(bus, started);
    }).map(service -> true);
  }

  private Future<Object> startEndpoint(JsonObject command) {
    ClientEndpointOptions options = new ClientEndpointOptions().setRuntimeDirectory(runtime);
    for (Object entry : command.getJsonArray("tokens", new JsonArray())) {
      JsonObject token = (JsonObject) entry;
      Set<Permission> allowed = EnumSet.noneOf(Permission.class);
      for (Object name : token.getJsonArray("allow", new JsonArray())) {
        allowed.add(Permission.fromWireName((String) name));
      }
      List<String> serve = new ArrayList<>();
      token.getJsonArray("serve", new JsonArray()).forEach(prefix -> serve.add((String) prefix));
      List<String> groups = new ArrayList<>();
      token.getJsonArray("groups", new JsonArray()).forEach(prefix -> groups.add((String) prefix));
      options.addGrant(new ClientGrant(token.getString("name"), token.getString("token"), allowed, serve, groups));
    }
    JsonObject tls = command.getJsonObject("tls");
    if (tls != null) {
      options.setTcp("127.0.0.1", 0).setTls(new ClientEndpointOptions.TlsFiles(Path.of(tls.getString("certificate")),
          Path.of(tls.getString("key")), tls.containsKey("clientCa") ? Path.of(tls.getString("clientCa")) : null));
    }
    if (command.containsKey("socket")) {
      options.setSocket(Path.of(command.getString("socket")));
    }
    if (command.containsKey("max_connections")) {
      options.setMaxConnections(command.getInteger("max_connections"));
    }
    if (command.containsKey("max_in_flight")) {
      options.setMaxInFlight(command.getInteger("max_in_flight"));
    }
    if (command.containsKey("stall_timeout_ms")) {
      options.setStallTimeout(Duration.ofMillis(command.getLong("stall_timeout_ms")));
    }
    if (command.containsKey("ping_interval_ms")) {
      options.setPingInterval(Duration.ofMillis(command.getLong("ping_interval_ms")));
    }
    if (command.containsKey("write_queue_bytes")) {
      options.setWriteQueueBytes(command.getInteger("write_queue_bytes"));
    }
    endpoint = new ClientEndpoint(bus, options, new GroupStores(new FileCheckpointStore(vertx,
        runtime.resolve("checkpoints")), null));
    return vertx.deployVerticle(endpoint).map(id -> {
      endpointDeployment = id;
      JsonObject started = new JsonObject().put("socket", endpoint.socketPath().toString())
          .put("tcpPort", endpoint.tcpPort());
      if (endpoint.generatedTokenFile() != null) {
        started.put("tokenFile", endpoint.generatedTokenFile().toString());
      }
      return started;
    });
  }

  private Future<Object> deploy(JsonObject command) {
    PythonProcessConfig worker = new PythonProcessConfig(command.getString("module"), command.getString("function"));
    for (Object path : command.getJsonArray("path", new JsonArray())) {
      worker.addPythonPath(Path.of((String) path));
    }
    ProcessOptions process = worker.getProcess().setRuntimeDirectory(runtime)
        .setInitialRestartDelay(Duration.ofMillis(20)).setShutdownGrace(Duration.ofSeconds(2));
    for (Object callback : command.getJsonArray("callbacks", new JsonArray().add("test.Numbers").add("test.Broken"))) {
      process.addCallback((String) callback);
    }
    if (command.containsKey("max_frame")) {
      process.setMaxFrameSize(command.getInteger("max_frame"));
    }
    String name = command.getString("name");
    ProcessVerticle pool = ProcessVerticle.python(bus, new PoolOptions(name), worker);
    return vertx.deployVerticle(pool).compose(id -> {
      deployments.put(name, id);
      pools.put(name, pool);
      return pool.children().map(c -> (Object) c);
    });
  }

  private Message request(JsonObject command) {
    String type = command.getString("type");
    if (command.containsKey("payload_b64")) {
      byte[] bytes = Base64.getDecoder().decode(command.getString("payload_b64"));
      return Message.of(io.commbus.bus.Category.QUERY, type, Buffer.buffer(bytes));
    }
    return Message.query(type, command.getJsonObject("payload", new JsonObject()));
  }

  private static Duration timeout(JsonObject command) {
    return Duration.ofMillis(command.getLong("timeout_ms", 30_000L));
  }

  /** Bytes go back as {"b64": ...}, since stdout carries JSON lines. */
  private static Object wire(Object body) {
    if (body instanceof Buffer) {
      return new JsonObject().put("b64", Base64.getEncoder().encodeToString(((Buffer) body).getBytes()));
    }
    return body;
  }

  private Future<Object> stream(JsonObject command) {
    Promise<Object> done = Promise.promise();
    int take = command.getInteger("take", Integer.MAX_VALUE);
    bus.queryStream(request(command), timeout(command)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      QueryStream<Message> stream = ar.result();
      JsonArray items = new JsonArray();
      stream.handler(item -> {
        items.add(wire(item.body()));
        if (items.size() == take) {
          stream.cancel().onComplete(v -> done.tryComplete(items));
        }
      });
      stream.exceptionHandler(done::tryFail);
      stream.endHandler(v -> done.tryComplete(items));
    });
    return done.future();
  }

  private void registerTestHandlers() throws Exception {
    CallbackRegistry.register(bus, callback("Numbers", (request, sink) ->
        writeNumbers(sink, request.getInteger("n", 0), 0))).await(10, TimeUnit.SECONDS);
    CallbackRegistry.register(bus, callback("Broken", (request, sink) -> {
      sink.write(new JsonObject().put("i", 0));
      sink.fail(new CommBusException(ErrorCode.REJECTED, "market closed"));
    })).await(10, TimeUnit.SECONDS);
    bus.registerHandler("test.Ask", (Message m) ->
        Future.succeededFuture(new JsonObject().put("answer", m.json().getString("what", "").toUpperCase())))
        .await(10, TimeUnit.SECONDS);
    bus.registerStreamHandler("test.AskMany", (Message m, StreamSink<Object> sink) -> {
      for (int i = 0; i < m.json().getInteger("n", 0); i++) {
        sink.write(new JsonObject().put("i", i));
      }
      sink.end();
    }).await(10, TimeUnit.SECONDS);
    bus.registerHandler("test.Do", (Message m) -> Future.succeededFuture()).await(10, TimeUnit.SECONDS);
  }

  /** Writes as the Python reader's credit allows. */
  private static void writeNumbers(StreamSink<JsonObject> sink, int n, int from) {
    int i = from;
    while (i < n && !sink.writeQueueFull()) {
      sink.write(new JsonObject().put("i", i++));
    }
    if (i == n) {
      sink.end();
    } else if (!sink.isCancelled()) {
      int next = i;
      sink.drainHandler(v -> writeNumbers(sink, n, next));
    }
  }

  private static CallbackHandler<JsonObject, JsonObject> callback(String type,
                                                                  CallbackHandler.Body<JsonObject, JsonObject> body) {
    return CallbackHandler.of("test." + type, JsonObject.class, body);
  }
}
