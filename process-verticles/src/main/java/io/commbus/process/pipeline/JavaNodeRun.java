package io.commbus.process.pipeline;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a Java node ({@link JavaNode}) on this host: its class made, its inputs listened on
 * (the JVM's {@link ChannelSource}s), its outputs connected to their readers ({@link ChannelSink}s,
 * tried again while the reader's node starts), then its {@code run}. The same wiring as a Python
 * node's runner is sent ({@link SessionWiring#localRequest}). Used on the sessions' context.
 */
final class JavaNodeRun extends NodeRunState {

  private static final long CONNECT_RETRY_MILLIS = 10;

  private final Context context;
  private final CommBus bus;
  private final ClassLoader classes;
  private final String session;
  private final JsonObject request;
  private final Map<String, ChannelSource> inputs = new LinkedHashMap<>();
  private final Map<String, ChannelSink> outputs = new LinkedHashMap<>();

  JavaNodeRun(Context context, CommBus bus, ClassLoader classes, String session, PipelineNode node, JsonObject request,
              Listener listener) {
    super(node, listener);
    this.context = context;
    this.bus = bus;
    this.classes = classes;
    this.session = session;
    this.request = request;
  }

  @Override
  public long pid() {
    return ProcessHandle.current().pid();  // it runs in this JVM
  }

  @Override
  public void start() {
    context.owner().executeBlocking(this::make, false).onComplete(made -> {
      if (made.failed()) {
        fail(NodeFailure.Origin.NODE, made.cause());
        return;
      }
      boolean resumable = request.getBoolean("resumable", false);
      List<Future<?>> wiring = new ArrayList<>();
      JsonObject in = request.getJsonObject("inputs", new JsonObject());
      for (String port : in.fieldNames()) {
        JsonObject channel = in.getJsonObject(port);
        wiring.add(ChannelSource.listen(context.owner(), Path.of(channel.getString("path")),
            channel.getInteger("capacity"), resumable).onSuccess(source -> inputs.put(port, source)));
      }
      long deadline = System.currentTimeMillis() + request.getLong("connectTimeout",
          PipelineSpec.DEFAULT_INIT_TIMEOUT.toMillis());
      JsonObject out = request.getJsonObject("outputs", new JsonObject());
      Duration resumeFor = resumable ? Duration.ofMillis(request.getLong("connectTimeout",
          PipelineSpec.DEFAULT_INIT_TIMEOUT.toMillis())) : null;
      // Each output waits for its reader's node to listen, all of them within the deadline.
      for (String port : out.fieldNames()) {
        wiring.add(connect(Path.of(out.getString(port)), resumeFor, deadline)
            .onSuccess(sink -> outputs.put(port, sink)));
      }
      Future.all(wiring).onComplete(wired -> {
        if (wired.failed()) {
          fail(NodeFailure.Origin.NODE, wired.cause());
        } else if (state() == State.STARTING) {
          becameReady();
          run(made.result());
        }
      });
    });
  }

  private JavaNode make() throws Exception {
    String className = node.kind().target();
    Class<?> type;
    try {
      type = Class.forName(className, true, classes);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("no class " + className + " on the class path");
    }
    if (!JavaNode.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(className + " does not implement " + JavaNode.class.getName());
    }
    try {
      return (JavaNode) type.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(className + " has no public no-argument constructor");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("the constructor of " + className + " failed: " + e.getCause(), e.getCause());
    }
  }

  private Future<ChannelSink> connect(Path path, Duration resumeFor, long deadline) {
    Promise<ChannelSink> connected = Promise.promise();
    tryConnect(path, resumeFor, deadline, connected);
    return connected.future();
  }

  private void tryConnect(Path path, Duration resumeFor, long deadline, Promise<ChannelSink> connected) {
    ChannelSink.connect(context.owner(), path, resumeFor).onComplete(ar -> {
      if (ar.succeeded()) {
        connected.complete(ar.result());
      } else if (System.currentTimeMillis() >= deadline || state() != State.STARTING) {
        connected.fail(new CommBusException(ErrorCode.UNAVAILABLE, "no node listened at " + path + " in time"));
      } else {
        context.owner().setTimer(CONNECT_RETRY_MILLIS, t -> tryConnect(path, resumeFor, deadline, connected));
      }
    });
  }

  private void run(JavaNode made) {
    Future<Void> running;
    try {
      running = made.run(new Ports(), node.config());
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(done -> {
      if (state() != State.READY) {
        return;
      }
      if (done.succeeded()) {
        Future.join(outputs.values().stream().map(ChannelSink::end).toList()).onComplete(v -> {
          finished();
        });
      } else {
        fail(NodeFailure.Origin.NODE, done.cause());
      }
    });
  }

  private void fail(NodeFailure.Origin origin, Throwable cause) {
    if (!live()) {
      return;
    }
    CommBusException error = CommBusException.wrap(cause, ErrorCode.HANDLER_FAILED);
    boolean resumable = request.getBoolean("resumable", false);
    // As a Python node: its outputs end with the error, or, resumable, are dropped for its restart.
    outputs.values().forEach(sink -> {
      if (resumable) {
        sink.abandon();
      } else {
        sink.fail(error);
      }
    });
    inputs.values().forEach(ChannelSource::close);
    fail(new NodeFailure(node.id(), origin, error.code(), error.getMessage(), cause.getClass().getName(), null));
  }

  @Override
  public Future<Void> stop() {
    if (live()) {
      markStopped();
      CommBusException stopped = new CommBusException(ErrorCode.UNAVAILABLE, "the node was stopped before it finished");
      outputs.values().forEach(sink -> sink.fail(stopped));
    }
    return Future.join(inputs.values().stream().map(ChannelSource::close).toList()).mapEmpty();
  }

  /** What the node's code sees of its run. */
  private final class Ports implements NodePorts {

    @Override
    public ReadStream<ChannelItem> input(String name) {
      ChannelSource source = inputs.get(name);
      if (source == null) {
        throw new IllegalArgumentException("node " + node.id() + " has no input " + name + " (it has "
            + inputs.keySet() + ")");
      }
      return source;
    }

    @Override
    public WriteStream<ChannelItem> output(String name) {
      ChannelSink sink = outputs.get(name);
      if (sink == null) {
        throw new IllegalArgumentException("node " + node.id() + " has no output " + name + " (it has "
            + outputs.keySet() + ")");
      }
      return sink;
    }

    @Override
    public String sessionId() {
      return session;
    }

    @Override
    public String nodeId() {
      return node.id();
    }

    @Override
    public CommBus bus() {
      return bus;
    }

    @Override
    public Context context() {
      return context;
    }
  }
}
