package io.commbus.node.hosts;

import io.commbus.adapter.postgres.PostgresJournal;
import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.journal.JournalRecord;
import io.commbus.node.PostgresRuns;
import io.commbus.node.SpreadCallback;
import io.commbus.node.TestConfigs;
import io.commbus.testhosts.TestHost;
import io.commbus.testhosts.TestNetwork;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@code commbus node} process per test host, in one Hazelcast cluster joined by the hosts'
 * addresses, with one PostgreSQL journal reached through the server's Unix socket (the file
 * system is shared, the machine's loopback is not). Every host runs a {@code watch} pool that
 * sees {@code test.Tick}; host 1 also runs the pricing pool with its Java callback, a pool that
 * never answers ({@code test.Stall}) and one that iterates host 3's {@code test.Ticker}
 * callback; hosts 2 and 3 are the members of a consumer group of {@code test.Work}. What the
 * scenarios share; closing it stops the nodes, removes the hosts and drops the journal table.
 */
final class HostCluster implements AutoCloseable {

  /** Where the machine's PostgreSQL puts its socket; a host reaches the server only through it. */
  static final Path POSTGRES_SOCKET_DIRECTORY = Path.of("/var/run/postgresql");
  /** Every node's event-bus port. */
  static final int EVENT_BUS_PORT = 5801;
  /** The type of the events the consumer group of hosts 2 and 3 handles. */
  static final String WORK = "test.Work";
  /** The TLS port of host 1's client endpoint. */
  static final int CLIENT_TLS_PORT = 7443;
  /** The type prefix the workers attached to host 1's client endpoint may serve. */
  static final String ATTACHED_PREFIX = "test.Attached";
  /** Where each run's node output is left, relative to the module (Maven's working directory for tests). */
  private static final Path LOGS = Path.of("target", "host-logs");

  private final Path dir;
  private final Path tokenFile;
  private final TestNetwork network;
  private final String table;
  private final List<HostNode> nodes = new ArrayList<>();
  /** Host 1's client endpoint's certificate, key and a client token. */
  private ClientTls clientTls;
  /** Every node started, restarts and the nodes they replaced included, for the logs. */
  private final List<HostNode> started = new ArrayList<>();

  private HostCluster(Path dir, Path tokenFile, TestNetwork network, String table) {
    this.dir = dir;
    this.tokenFile = tokenFile;
    this.network = network;
    this.table = table;
  }

  /**
   * Starts a node on each host of a new network and waits until each counts every host as a
   * member, at most {@code within}; {@code clusterSettings} are added to each node's cluster section.
   */
  static HostCluster start(Path dir, String name, JsonObject clusterSettings, Duration within) throws Exception {
    if (!Files.exists(POSTGRES_SOCKET_DIRECTORY.resolve(".s.PGSQL.5432"))) {
      fail("this test needs PostgreSQL's Unix socket " + POSTGRES_SOCKET_DIRECTORY + "/.s.PGSQL.5432"
          + " (trust auth, user postgres, database test)");
    }
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    HostCluster hosts = new HostCluster(dir, adminToken(dir), TestNetwork.start(), name + "_" + suffix);
    hosts.clientTls = ClientTls.make(dir, hosts.network.host(1).address());
    try {
      String cluster = "commbus-" + name + "-" + suffix;
      for (TestHost host : hosts.network.hosts()) {
        Path nodeDir = Files.createDirectories(hosts.nodeDir(host));
        Path config = TestConfigs.write(nodeDir, "node.json", hosts.config(nodeDir, host, cluster, clusterSettings));
        hosts.add(HostNode.start(host, config, hosts.tokenFile));
      }
      for (HostNode node : hosts.nodes) {
        node.awaitReady(within);
      }
      for (HostNode node : hosts.nodes) {
        node.getUntil("/health", "cluster.members", hosts.nodes.size(), within);
      }
      return hosts;
    } catch (Exception | AssertionError e) {
      hosts.close();
      throw e;
    }
  }

  /** A token for every node's admin API, in a file only its owner reads. */
  private static Path adminToken(Path dir) throws IOException {
    Path file = Files.createDirectories(dir).resolve("admin.token");
    byte[] random = new byte[24];
    new java.security.SecureRandom().nextBytes(random);
    Files.writeString(file, java.util.HexFormat.of().formatHex(random));
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private void add(HostNode node) {
    nodes.add(node);
    started.add(node);
  }

  private JsonObject config(Path nodeDir, TestHost host, String cluster, JsonObject clusterSettings) {
    JsonArray pools = new JsonArray().add(TestConfigs.pool("watch", "test.Seen" + host.index(), "seen", 1)
        .put("module", "host_workers").put("env", new JsonObject().put("HOST_NAME", host.name())));
    JsonObject config = TestConfigs.node(nodeDir)
        .put("journal", new JsonObject().put("type", "postgres").put("host", POSTGRES_SOCKET_DIRECTORY.toString())
            .put("table", table))
        // The admin API on the host's address, as another host's CLI or a probe would reach it.
        .put("admin", new JsonObject().put("host", host.address()).put("port", 0)
            .put("tokenFile", tokenFile.toString()))
        // A fixed event-bus port, as firewall rules between hosts need; each host has its own address.
        .put("cluster", new JsonObject().put("enabled", true).put("name", cluster).put("host", host.address())
            .put("eventBusPort", EVENT_BUS_PORT).put("members", new JsonArray(network.addresses()))
            .mergeIn(clusterSettings));
    if (host.index() == 1) {
      // One child: two children becoming ready at once on a clustered bus both register the pool's handler.
      pools.add(TestConfigs.pricing().put("size", 1));
      // A call of test.Stall is never answered: what a node's death finds in flight.
      pools.add(TestConfigs.pool("stall", "test.Stall", "stall", 1).put("module", "host_workers")
          .put("env", new JsonObject().put("STALL_MARKER", stallMarker(nodeDir).toString())));
      // Iterates host 3's ticker callback and leaves it early.
      pools.add(TestConfigs.pool("ticks", "test.TickThree", "tick_three", 1).put("module", "host_workers")
          .put("callbacks", new JsonArray().add("test.Ticker")));
      config.put("callbackHandlers", new JsonArray().add(SpreadCallback.class.getName()));
      // Clients from other hosts attach over TLS; the token may serve the attached types only.
      config.put("clients", new JsonObject()
          .put("tcp", new JsonObject().put("host", host.address()).put("port", CLIENT_TLS_PORT))
          .put("tls", new JsonObject().put("certificate", clientTls.certificate().toString())
              .put("key", clientTls.key().toString()))
          .put("tokens", new JsonArray().add(new JsonObject().put("name", "gpu")
              .put("tokenFile", clientTls.token().toString()).put("allow", new JsonArray().add("serve"))
              .put("serve", new JsonArray().add(ATTACHED_PREFIX)))));
    }
    if (host.index() == 3) {
      config.put("callbackHandlers", new JsonArray().add(TickerCallback.class.getName()));
    }
    if (host.index() >= 2) {
      // Hosts 2 and 3 are the members of one consumer group of test.Work, each a Python pool.
      pools.add(TestConfigs.pool("work", "test.Worked" + host.index(), "work", 1).put("module", "host_workers")
          .put("env", new JsonObject().put("HOST_NAME", host.name())));
      config.put("groups", new JsonArray().add(new JsonObject().put("name", group())
          .put("types", new JsonArray().add(WORK)).put("pool", "work")));
    }
    // Every host runs the nodes of pipeline sessions placed on it by name.
    config.put("sessions", new JsonObject().put("nodeName", host.name())
        .put("pythonPath", new JsonArray().add(TestConfigs.PYTHON.toString())));
    return config.put("pools", pools);
  }

  /**
   * Starts the node on host {@code n} again (after {@link HostNode#kill}) and waits until it is
   * ready and counts every host as a member, at most {@code within}.
   */
  HostNode restart(int n, Duration within) throws InterruptedException {
    HostNode again = node(n).restart();
    started.add(again);
    nodes.set(n - 1, again);
    again.awaitReady(within);
    again.getUntil("/health", "cluster.members", nodes.size(), within);
    return again;
  }

  /** The consumer group hosts 2 and 3 are members of; its name is the run's own. */
  String group() {
    return "work_" + table;
  }

  /** What the nodes' journal holds of {@code types}, in order, read by the journal's own reader. */
  List<JournalRecord> journal(Set<String> types) {
    Vertx vertx = Vertx.vertx();
    try {
      PostgresJournal journal = await(PostgresJournal.open(vertx, new PostgresJournalOptions().setTable(table)));
      try {
        return await(journal.read(1, 100_000, types));
      } finally {
        await(journal.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  private Path nodeDir(TestHost host) {
    return dir.resolve(host.name());
  }

  private static Path stallMarker(Path nodeDir) {
    return nodeDir.resolve("stalled");
  }

  /** The file host 1's stall worker writes once it has a call of test.Stall. */
  Path stallMarker() {
    return stallMarker(nodeDir(network.hosts().get(0)));
  }

  /** Host 1's client endpoint's TLS files and the attached workers' token. */
  ClientTls clientTls() {
    return clientTls;
  }

  TestNetwork network() {
    return network;
  }

  List<HostNode> nodes() {
    return nodes;
  }

  /** The node on host {@code n}, counted from 1. */
  HostNode node(int n) {
    return nodes.get(n - 1);
  }

  @Override
  public void close() throws Exception {
    try {
      for (HostNode node : nodes) {
        node.stop(Duration.ofSeconds(20));
      }
    } finally {
      network.close();
      PostgresRuns.drop(table, group());
      writeLogs();
    }
  }

  /** Every node's output, with arrival times, under target/host-logs: what a failed or slow run is read from. */
  private void writeLogs() throws IOException {
    Path logs = Files.createDirectories(LOGS);
    for (int i = 0; i < started.size(); i++) {
      HostNode node = started.get(i);
      Files.writeString(logs.resolve(table + "-" + i + "-" + node.host().name() + ".log"), node.transcript());
    }
  }

}
