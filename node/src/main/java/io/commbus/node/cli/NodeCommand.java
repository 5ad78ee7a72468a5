package io.commbus.node.cli;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.Node;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.NodeConfig;
import io.vertx.core.Future;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code commbus node --config FILE}: runs a node until SIGTERM or Ctrl-C. A JVM shutdown hook
 * stops it in order (admin server, pools and their children, coordinator, bus, journal, Vert.x),
 * so no child process or socket file outlives it.
 */
final class NodeCommand implements Command {

  /** Held because java.util.logging keeps loggers only weakly, and the level set on it would go with it. */
  private Logger hazelcastLog;

  @Override
  public String name() {
    return "node";
  }

  @Override
  public String summary() {
    return "run a node from a configuration file: journal, coordinator, Python pools, admin HTTP";
  }

  @Override
  public String help() {
    return "usage: commbus node --config FILE [--cluster] [--admin-port PORT]\n\n"
        + "Runs a commbus node as FILE describes (JSON, or YAML for .yaml and .yml; see\n"
        + "docs/configuration.md): the journal, the coordinator, the callback handlers, the Python\n"
        + "pools and the admin HTTP API on admin.host (127.0.0.1 unless configured; any other address\n"
        + "needs admin.tokenFile).\n"
        + "  --config FILE       the node's configuration (required)\n"
        + "  --cluster           join the cluster described under \"cluster\" even if cluster.enabled is false\n"
        + "  --admin-port PORT   the admin HTTP port instead of admin.port (0: any free port)\n"
        + "Prints \"commbus node ready in N ms: admin http://HOST:PORT\" once it serves, then runs until\n"
        + "SIGTERM or Ctrl-C, which stop the pools' children, the coordinator, the journal and Vert.x in turn.\n"
        + "Exit codes: 2 the command line or the configuration is wrong (the message names the field);\n"
        + "1 the node could not start (a pool, the journal, the port); 143 after SIGTERM, 130 after Ctrl-C.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) {
    long begin = System.nanoTime();
    CommandArgs parsed;
    try {
      parsed = CommandArgs.parse(args, Set.of("--config", "--admin-port"), Set.of("--cluster"));
      if (!parsed.positional().isEmpty()) {
        throw new CommandArgs.UsageError("unexpected argument '" + parsed.positional().get(0) + "'");
      }
      if (parsed.option("--config") == null) {
        throw new CommandArgs.UsageError("--config FILE is required: the node's configuration (JSON or YAML)");
      }
    } catch (CommandArgs.UsageError e) {
      err.println("commbus node: " + e.getMessage());
      err.println("see: commbus node --help");
      return Main.USAGE;
    }
    Path file = Path.of(parsed.option("--config"));
    NodeConfig config;
    try {
      config = ConfigReader.read(file);
      Integer port = parsed.port("--admin-port");
      if (port != null) {
        config.setAdminPort(port);
      }
    } catch (ConfigException e) {
      err.println("commbus node: " + file + ": " + e.getMessage());
      return Main.USAGE;
    } catch (CommandArgs.UsageError e) {
      err.println("commbus node: " + e.getMessage());
      return Main.USAGE;
    }
    if (parsed.flag("--cluster")) {
      config.setClustered(true);
    }

    quietHazelcast();
    Future<Node> starting = Node.start(config, AdminServer::new);
    Thread hook = new Thread(() -> stopOnSignal(starting, config, out, err), "commbus-node-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Node node;
    try {
      node = starting.await();
    } catch (ConfigException e) {
      removeHook(hook);
      err.println("commbus node: " + file + ": " + e.getMessage());
      return Main.USAGE;
    } catch (RuntimeException e) {
      removeHook(hook);
      err.println("commbus node: could not start: " + e.getMessage());
      return 1;
    }
    out.println("commbus node ready in " + (System.nanoTime() - begin) / 1_000_000 + " ms: admin " + node.adminUrl());
    node.clients().ifPresent(clients -> {
      out.println("clients connect at unix://" + clients.socketPath() + (clients.tcpPort() < 0 ? ""
          : " and on TCP port " + clients.tcpPort()));
      if (clients.generatedTokenFile() != null) {
        out.println("client token (may do everything): " + clients.generatedTokenFile());
      }
    });
    out.flush();
    // The node runs until a signal: the hook stops it, and the JVM exits once the hook is done.
    node.whenStopped().await();
    return 0;
  }

  private static void stopOnSignal(Future<Node> starting, NodeConfig config, PrintStream out, PrintStream err) {
    long begin = System.nanoTime();
    out.println("commbus node: stopping");
    out.flush();
    long timeout = config.getShutdownTimeout().toMillis();
    try {
      // A signal during the start waits for it: a half-started node undoes itself, a started one is stopped.
      starting.transform(ar -> ar.succeeded() ? ar.result().stop() : Future.succeededFuture())
          .await(timeout, TimeUnit.MILLISECONDS);
      out.println("commbus node stopped in " + (System.nanoTime() - begin) / 1_000_000 + " ms");
    } catch (TimeoutException e) {
      err.println("commbus node: did not stop within " + timeout + " ms (shutdownTimeout); exiting anyway");
    } catch (RuntimeException e) {
      err.println("commbus node: stopping failed: " + e.getMessage());
    }
    out.flush();
  }

  /**
   * Hazelcast reports every step of joining at INFO, dozens of lines per start; a node shows its
   * warnings and errors only, unless the user configured java.util.logging themselves.
   */
  private void quietHazelcast() {
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.config.class") == null) {
      hazelcastLog = Logger.getLogger("com.hazelcast");
      hazelcastLog.setLevel(Level.WARNING);
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs and finds nothing to stop.
    }
  }
}
