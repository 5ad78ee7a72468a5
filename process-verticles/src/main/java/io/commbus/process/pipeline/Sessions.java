package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.ChildSpecs;
import io.commbus.process.ProcessOptions;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.child.ChildSpec;
import io.commbus.process.pool.RuntimeDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The pipeline sessions of one node: {@link #create} starts one running instance of a spec (a
 * process per Python node, channels between them), {@link #terminate} ends one, {@link #list}
 * says what runs. Its methods may be called from any thread; the work, and the sessions'
 * streams, are on the context it was started on.
 *
 * <pre>{@code
 * Sessions sessions = Sessions.start(vertx, bus, new SessionOptions()
 *     .setPython(new PythonProcessConfig().addPythonPath(Path.of("examples/pipeline")))).await();
 * Session session = sessions.create("call-1", spec).await();
 * session.output("sink").handler(item -> ...);
 * }</pre>
 */
public final class Sessions {

  /** The SDK's node runner, which each node's process runs. */
  static final String NODE_MODULE = "commbus.pipeline";
  static final String NODE_FUNCTION = "serve_node";
  /** A session id: what its child ids, events and bus addresses are made of. */
  private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final String NAME = "sessions";
  /** How long the check that no other node runs a session of the same id may take. */
  private static final Duration ID_CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Context context;
  private final CommBus bus;
  private final SessionOptions options;
  private final Path runtimeParent;
  private final RuntimeDirectory own;
  private final ChildSpec childSpec;
  private final SessionEvents events;
  /** Runs the nodes other hosts' sessions place here; null when this host has no name to be placed by. */
  private final SessionHost host;
  private final Map<String, Session> sessions = new LinkedHashMap<>();
  private boolean closed;

  private Sessions(Context context, CommBus bus, SessionOptions options, RuntimeDirectory own, ChildSpec childSpec) {
    this.context = context;
    this.bus = bus;
    this.options = options;
    this.runtimeParent = options.getPython().getProcess().getRuntimeDirectory();
    this.own = own;
    this.childSpec = childSpec;
    this.events = new SessionEvents(bus);
    this.host = options.getNodeName() == null ? null
        : new SessionHost(context, bus, childSpec, options.getClassLoader(), runtimeParent, options.getNodeName());
  }

  /**
   * Prepares the nodes' Python (the SDK unpacked, the settings checked) and completes with the
   * sessions of this node; fails with an IllegalArgumentException naming a setting that cannot
   * work. Vert.x must run on its native transport, as for any process verticle.
   */
  public static Future<Sessions> start(Vertx vertx, CommBus bus, SessionOptions options) {
    if (!vertx.isNativeTransportEnabled()) {
      return Future.failedFuture(new IllegalStateException("pipeline sessions need Vert.x on its native transport "
          + "for Unix domain sockets: create Vert.x with new VertxOptions().setPreferNativeTransport(true)"));
    }
    Context context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      PythonProcessConfig python = options.getPython();
      RuntimeDirectory own = RuntimeDirectory.create(python.getProcess().getRuntimeDirectory(), NAME);
      try {
        ProcessOptions process = runner(python).toProcessOptions(own.extractPythonSdk());
        process.validate();
        return new Sessions(context, bus, options, own, ChildSpecs.of(NAME, process));
      } catch (RuntimeException e) {
        own.delete();
        throw e;
      }
    }, false);
  }

  /** The configured Python, running the node runner whatever module it names. */
  private static PythonProcessConfig runner(PythonProcessConfig python) {
    PythonProcessConfig runner = new PythonProcessConfig(NODE_MODULE, NODE_FUNCTION).setPython(python.getPython())
        .setPythonPath(python.getPythonPath()).setProcess(python.getProcess());
    python.getEnvironment().forEach(runner::putEnvironment);
    return runner;
  }

  /**
   * Starts session {@code id} of {@code spec}: completes once every node is ready, with the
   * session's handle. Fails with {@code INIT_TIMEOUT} (a node not ready within the spec's
   * {@code initTimeout}), {@code NODE_CRASHED} (a node that failed while it started, named, with
   * its exit or its exception), {@code RESOURCE_LIMIT} (a session too many, or a spec of more
   * processes than a session may have), or {@code INVALID_MESSAGE} (an id that is taken or not
   * well-formed, a node this node cannot run). Nothing of a session that failed to start is left.
   */
  public Future<Session> create(String id, PipelineSpec spec) {
    return onContext(() -> {
      CommBusException refused = refusal(id, spec);
      if (refused != null) {
        return Future.failedFuture(refused);
      }
      sessions.put(id, null);  // its place is taken while it is checked and its directory made
      return takenElsewhere(id)
          .compose(v -> context.owner().executeBlocking(() -> RuntimeDirectory.create(runtimeParent, "session " + id),
              false))
          .compose(directory -> {
            if (closed) {
              // Closed while the directory was made: nothing of the session may outlive the close.
              return context.owner().executeBlocking(() -> {
                directory.delete();
                return null;
              }, false).transform(v -> Future.failedFuture(new CommBusException(ErrorCode.UNAVAILABLE,
                  "the node's sessions closed while session " + id + " was being created")));
            }
            Session session = new Session(context, bus, childSpec, options.getClassLoader(), id, spec, directory,
                options.getNodeName(), events, ended -> sessions.remove(ended.id()));
            sessions.put(id, session);
            return session.start();
          })
          .onFailure(e -> {
            if (sessions.get(id) == null) {
              sessions.remove(id);  // it never came to be
            }
          });
    });
  }

  /** Starts session {@code id} of the pipeline the options name {@code pipeline}; as {@link #create(String, PipelineSpec)}. */
  public Future<Session> create(String id, String pipeline) {
    PipelineSpec spec = options.getPipelines().stream().filter(p -> p.name().equals(pipeline)).findFirst().orElse(null);
    if (spec == null) {
      return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "session " + id + ": no pipeline "
          + pipeline + " is configured (there are " + (options.getPipelines().isEmpty() ? "none"
          : String.join(", ", options.getPipelines().stream().map(PipelineSpec::name).toList())) + ")"));
    }
    return create(id, spec);
  }

  /** Whether {@code id} can name a session: 1 to 64 letters, digits, {@code _} and {@code -}. */
  public static boolean wellFormed(String id) {
    return id != null && SESSION_ID.matcher(id).matches();
  }

  /**
   * Fails with INVALID_MESSAGE when another node of the cluster runs a session of this id: its
   * types on the bus are the session's, and two of one id would share them. A node that does not
   * answer in time is taken not to.
   */
  private Future<Void> takenElsewhere(String id) {
    return bus.query(Message.query(SessionPorts.statusType(id), null), ID_CHECK_TIMEOUT).transform(ar -> {
      if (ar.succeeded()) {
        return Future.failedFuture(new CommBusException(ErrorCode.INVALID_MESSAGE, "a session " + id
            + " runs already, on another node"));
      }
      return Future.succeededFuture();
    });
  }

  private CommBusException refusal(String id, PipelineSpec spec) {
    if (closed) {
      return new CommBusException(ErrorCode.UNAVAILABLE, "the node's sessions are closed");
    }
    if (!wellFormed(id)) {
      return new CommBusException(ErrorCode.INVALID_MESSAGE, "a session id is 1 to 64 letters, digits, _ and -, not "
          + (id == null ? "null" : "\"" + id + "\""));
    }
    if (sessions.containsKey(id)) {
      return new CommBusException(ErrorCode.INVALID_MESSAGE, "a session " + id + " runs already");
    }
    if (sessions.size() >= options.getMaxSessions()) {
      return new CommBusException(ErrorCode.RESOURCE_LIMIT, "session " + id + ": this node runs "
          + sessions.size() + " sessions, its most (maxSessions " + options.getMaxSessions() + ")");
    }
    long processes = spec.nodes().stream().filter(n -> n.kind().language() == PipelineNode.Language.PYTHON).count();
    if (processes > options.getMaxProcessesPerSession()) {
      return new CommBusException(ErrorCode.RESOURCE_LIMIT, "session " + id + ": pipeline " + spec.name() + " has "
          + processes + " Python nodes, a process each, over the most a session may have (maxProcessesPerSession "
          + options.getMaxProcessesPerSession() + ")");
    }
    return null;
  }

  /** Terminates session {@code id}; completes once nothing of it is left. Fails with {@code SESSION_NOT_FOUND}. */
  public Future<Void> terminate(String id) {
    return onContext(() -> {
      Session session = sessions.get(id);
      if (session == null) {
        return Future.failedFuture(notFound(id));
      }
      return session.terminate();
    });
  }

  /** The session {@code id}; fails with {@code SESSION_NOT_FOUND}. */
  public Future<Session> session(String id) {
    return onContext(() -> {
      Session session = sessions.get(id);
      return session == null ? Future.failedFuture(notFound(id)) : Future.succeededFuture(session);
    });
  }

  /** Every session that runs here, starting ones included, as {@link Session#status()} says. */
  public Future<JsonArray> list() {
    return onContext(() -> {
      JsonArray list = new JsonArray();
      sessions.values().stream().filter(s -> s != null).forEach(s -> list.add(s.status()));
      return Future.succeededFuture(list);
    });
  }

  /** Registers the host's bus type, so other hosts' sessions can place nodes here; none without a nodeName. */
  Future<Optional<Registration>> registerHost() {
    return host == null ? Future.succeededFuture(Optional.empty())
        : onContext(() -> host.register().map(Optional::of));
  }

  private static CommBusException notFound(String id) {
    return new CommBusException(ErrorCode.SESSION_NOT_FOUND, "no session " + id + " runs here");
  }

  /** Terminates every session and stops the fork server, if any; no session is created after it. */
  public Future<Void> close() {
    return onContext(() -> {
      closed = true;
      List<Future<Void>> ends = new ArrayList<>();
      // A copy: a session that ends at once leaves the map while it is being gone through.
      for (Session session : new ArrayList<>(sessions.values())) {
        if (session != null) {
          ends.add(session.terminate());
        }
      }
      if (host != null) {
        ends.add(host.close());
      }
      return Future.join(ends).transform(v -> childSpec.launcher().close())
          .transform(v -> context.owner().<Void>executeBlocking(() -> {
            own.delete();
            return null;
          }, false));
    });
  }

  private <T> Future<T> onContext(Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }
}
