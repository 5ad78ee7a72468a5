package io.commbus.process.child;

import io.commbus.process.wire.Protocol.FailReason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A pool's template process in fork mode ({@code python -m commbus.forkserver}, see its module
 * docs for the line protocol): started at the first launch, it imports the entry module once,
 * and each launch after that forks a child from it. The server relays each child's output and
 * reports its exit, which {@link ForkedProcess} hands on as a spawned child's would be.
 *
 * <p>A server that dies is started again at the next launch; the children it leaves keep
 * serving and are watched through the system instead. A module that fails to import fails every
 * launch until the server is started again, as a spawned child's import failure would.
 * Everything but the blocking pipe work runs on the pool's context.
 */
public final class ForkServer implements Launcher {

  private static final System.Logger LOG = System.getLogger(ForkServer.class.getName());
  private static final String SETSID = "/usr/bin/setsid";
  private static final String OUT = "out ";

  private final String name;
  private final List<String> command;

  private Context context;
  private Server server;

  /** {@code command}: the template's argv ({@code python -m commbus.forkserver MODULE FUNCTION}); {@code name} tags its output. */
  public ForkServer(String name, List<String> command) {
    this.name = name;
    this.command = List.copyOf(command);
  }

  @Override
  public Future<ChildRun> launch(Context context, ChildSpec spec, Path socket, String token, String childId) {
    this.context = context;
    if (server == null || server.gone) {
      server = new Server(spec);
    }
    Server current = server;
    return current.ready.future().compose(v -> current.fork(socket, token, childId));
  }

  @Override
  public Future<Void> close() {
    Server current = server;
    server = null;
    return current == null ? Future.succeededFuture() : current.close();
  }

  /** One run of the template process. */
  private final class Server {
    private final Promise<Void> ready = Promise.promise();
    /** Forks asked for and not yet answered, by child id: the server answers each by its id. */
    private final Map<String, Promise<ChildRun>> forking = new HashMap<>();
    /** Read from the reading thread too, which relays the children's output itself. */
    private final Map<Long, ForkedProcess> children = new ConcurrentHashMap<>();
    private final long handshakeMillis;
    // Set on a worker as the process starts, read on the pool's context and the reading thread.
    private volatile Process process;
    private volatile OutputStream commands;
    private volatile OutputPump stderr;
    private volatile boolean gone;

    Server(ChildSpec spec) {
      this.handshakeMillis = spec.handshakeTimeout().toMillis();
      context.owner().executeBlocking(() -> start(spec), false).onComplete(ar -> {
        if (ar.failed()) {
          gone = true;
          ready.tryFail(new HandshakeFailure(FailReason.CHILD_EXITED, "the fork server of " + name
              + " could not be started: " + ar.cause().getMessage()));
        }
      });
      long timer = context.owner().setTimer(handshakeMillis, t -> {
        if (!ready.future().isComplete()) {
          ready.tryFail(new HandshakeFailure(FailReason.TIMEOUT, "the fork server of " + name
              + " did not import its entry module within " + handshakeMillis + " ms" + lastOutput()));
          gone = true;  // the next launch starts another
          kill();
        }
      });
      ready.future().onComplete(v -> context.owner().cancelTimer(timer));
    }

    /** Blocking: starts the template process and the thread that reads what it says. */
    private Void start(ChildSpec spec) throws IOException {
      List<String> argv = new ArrayList<>();
      if (new File(SETSID).canExecute()) {
        argv.add(SETSID);
      }
      argv.addAll(command);
      ProcessBuilder builder = new ProcessBuilder(argv);
      if (spec.workingDirectory() != null) {
        builder.directory(spec.workingDirectory().toFile());
      }
      ChildEnvironment.fillTemplate(builder.environment(), spec.environment());
      Process started = builder.start();
      process = started;
      if (ready.future().failed()) {
        // It timed out before it even started (a busy worker pool): not left running.
        ProcessSignals.killGroup(started.pid());
        started.destroyForcibly();
        return null;
      }
      commands = started.getOutputStream();
      stderr = new OutputPump(name + " fork server", "stderr", process.getErrorStream());
      stderr.start();
      Thread reader = new Thread(() -> read(started), "commbus-" + name + "-fork-server");
      reader.setDaemon(true);
      reader.start();
      return null;
    }

    /**
     * The reading thread: a child's output is logged here, off the event loop, as a spawned
     * child's is on its pumps' threads; everything else the server says is handled on the pool's context.
     */
    private void read(Process server) {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith(OUT)) {
            relay(line);
            continue;
          }
          String said = line;
          context.runOnContext(v -> said(said));
        }
      } catch (IOException e) {
        // The server went away; what follows is the same as its end of output.
      }
      stderr.awaitEnd(200);
      context.runOnContext(v -> ended());
    }

    private void said(String line) {
      String[] parts = line.split(" ", 3);
      try {
        switch (parts[0]) {
          case "ready" -> ready.tryComplete();
          case "failed" -> importFailed(new JsonObject(line.substring("failed ".length())));
          case "forked" -> forked(parts[1], Long.parseLong(parts[2]));
          case "refused" -> refused(parts[1], (String) Json.decodeValue(parts[2]));
          case "exit" -> exited(Long.parseLong(parts[1]), Integer.parseInt(parts[2]));
          default -> LOG.log(System.Logger.Level.WARNING, "the fork server of " + name + " said: " + line);
        }
      } catch (RuntimeException e) {
        unreadable(line, e);
      }
    }

    /** {@code out PID STREAM TEXT}: a line of a child's output; a child no longer known (it exited) is not logged. */
    private void relay(String line) {
      String[] parts = line.split(" ", 4);
      try {
        ForkedProcess child = children.get(Long.parseLong(parts[1]));
        if (child != null) {
          child.output(parts[2], (String) Json.decodeValue(parts[3]));
        }
      } catch (RuntimeException e) {
        unreadable(line, e);
      }
    }

    private void unreadable(String line, RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the fork server of " + name + " said what this node cannot read: "
          + line + " (" + e + ")");
    }

    private void importFailed(JsonObject failure) {
      String message = failure.getString("message", "the entry module could not be imported");
      ready.tryFail(new HandshakeFailure(FailReason.IMPORT, name + " (fork mode) " + message
          + "; in fork mode the module is imported once, before any child exists, so it may not call the bus"
          + " as it is imported", failure.getString("type"), failure.getString("traceback")));
    }

    private void forked(String childId, long pid) {
      ForkedProcess child = new ForkedProcess(pid, childId);
      Promise<ChildRun> waiting = forking.remove(childId);
      if (waiting == null || !waiting.tryComplete(child)) {
        // Given up on (timed out) while the fork was under way: this run is nobody's.
        child.signal(context, true);
        return;
      }
      children.put(pid, child);
    }

    private void refused(String childId, String why) {
      Promise<ChildRun> waiting = forking.remove(childId);
      if (waiting != null) {
        waiting.tryFail(new HandshakeFailure(FailReason.CHILD_EXITED, "the fork server of " + name
            + " could not fork " + childId + ": " + why));
      }
    }

    private void exited(long pid, int status) {
      ForkedProcess child = children.remove(pid);
      if (child != null) {
        child.exited(status);
      }
    }

    Future<ChildRun> fork(Path socket, String token, String childId) {
      if (gone) {
        return Future.failedFuture(new HandshakeFailure(FailReason.CHILD_EXITED, "the fork server of " + name
            + " is gone" + lastOutput()));
      }
      Promise<ChildRun> forked = Promise.promise();
      forking.put(childId, forked);
      // The same bound as a spawn to its handshake: a server that takes the line and never answers does not hold the child.
      long timer = context.owner().setTimer(handshakeMillis, t -> {
        if (forking.remove(childId, forked)) {
          forked.tryFail(new HandshakeFailure(FailReason.TIMEOUT, "the fork server of " + name + " did not fork "
              + childId + " within " + handshakeMillis + " ms"));
        }
      });
      forked.future().onComplete(v -> context.owner().cancelTimer(timer));
      String line = "fork " + new JsonObject().put("child", childId).put("socket", socket.toString())
          .put("token", token).encode() + "\n";
      context.owner().executeBlocking(() -> {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        synchronized (this) {
          commands.write(line.getBytes(StandardCharsets.UTF_8));
          commands.flush();
        }
        return null;
      }, false).onFailure(e -> {
        forking.remove(childId, forked);
        forked.tryFail(new HandshakeFailure(FailReason.CHILD_EXITED, "the fork server of " + name
            + " did not take the fork of " + childId + ": " + e.getMessage()));
      });
      return forked.future();
    }

    /** The server's output ended: it is gone, and its children are on their own. */
    private void ended() {
      gone = true;
      HandshakeFailure failure = new HandshakeFailure(FailReason.CHILD_EXITED, "the fork server of " + name
          + " exited" + lastOutput());
      ready.tryFail(failure);
      forking.values().forEach(p -> p.tryFail(failure));
      forking.clear();
      children.values().forEach(ForkedProcess::orphaned);
      children.clear();
    }

    private String lastOutput() {
      List<String> lines = stderr == null ? List.of() : stderr.lastLines();
      return lines.isEmpty() ? "" : "; its last output:\n" + String.join("\n", lines);
    }

    private void kill() {
      if (process != null) {
        Process target = process;
        context.owner().executeBlocking(() -> {
          ProcessSignals.killGroup(target.pid());
          target.destroyForcibly();
          return null;
        }, false);
      }
    }

    /** Closes its stdin, which ends it; killed if it has not ended a moment later. */
    Future<Void> close() {
      if (process == null) {
        return ready.future().transform(ar -> Future.succeededFuture());
      }
      Process target = process;
      return context.owner().executeBlocking(() -> {
        try {
          commands.close();
        } catch (IOException e) {
          // already closed: it is ending
        }
        if (!target.waitFor(2, TimeUnit.SECONDS)) {
          target.destroyForcibly();
        }
        return null;
      }, false);
    }
  }
}
