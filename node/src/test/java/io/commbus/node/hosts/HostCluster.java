package io.commbus.node.hosts;

import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.node.SpreadCallback;
import io.commbus.node.TestConfigs;
import io.commbus.testhosts.TestHost;
import io.commbus.testhosts.TestNetwork;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One {@code commbus node} process per test host, in one Hazelcast cluster joined by the hosts'
 * addresses, with one PostgreSQL journal reached through the server's Unix socket (the file
 * system is shared, the machine's loopback is not). Every host runs a {@code watch} pool that
 * sees {@code test.Tick}; host 1 also runs the pricing pool with its Java callback. What the
 * scenarios share; closing it stops the nodes, removes the hosts and drops the journal table.
 */
final class HostCluster implements AutoCloseable {

  /** Where the machine's PostgreSQL puts its socket; a host reaches the server only through it. */
  static final Path POSTGRES_SOCKET_DIRECTORY = Path.of("/var/run/postgresql");

  private final TestNetwork network;
  private final String table;
  private final List<HostNode> nodes = new ArrayList<>();

  private HostCluster(TestNetwork network, String table) {
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
    HostCluster hosts = new HostCluster(TestNetwork.start(), name + "_" + suffix);
    try {
      String cluster = "commbus-" + name + "-" + suffix;
      for (TestHost host : hosts.network.hosts()) {
        Path nodeDir = Files.createDirectories(dir.resolve(host.name()));
        Path config = TestConfigs.write(nodeDir, "node.json", hosts.config(nodeDir, host, cluster, clusterSettings));
        hosts.nodes.add(HostNode.start(host, config));
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

  private JsonObject config(Path nodeDir, TestHost host, String cluster, JsonObject clusterSettings) {
    JsonArray pools = new JsonArray().add(TestConfigs.pool("watch", "test.Seen" + host.index(), "seen", 1)
        .put("module", "host_workers").put("env", new JsonObject().put("HOST_NAME", host.name())));
    JsonObject config = TestConfigs.node(nodeDir)
        .put("journal", new JsonObject().put("type", "postgres").put("host", POSTGRES_SOCKET_DIRECTORY.toString())
            .put("table", table))
        .put("cluster", new JsonObject().put("enabled", true).put("name", cluster).put("host", host.address())
            .put("members", new JsonArray(network.addresses())).mergeIn(clusterSettings));
    if (host.index() == 1) {
      // One child: two children becoming ready at once on a clustered bus both register the pool's handler.
      pools.add(TestConfigs.pricing().put("size", 1));
      config.put("callbackHandlers", new JsonArray().add(SpreadCallback.class.getName()));
    }
    return config.put("pools", pools);
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
      dropTable();
    }
  }

  private void dropTable() {
    Vertx vertx = Vertx.vertx();
    try {
      PgConnection connection = await(PgConnection.connect(vertx, new PostgresJournalOptions().getConnect()));
      await(connection.query("DROP TABLE IF EXISTS " + table + ", " + table + "_head").execute()
          .eventually(connection::close));
    } finally {
      await(vertx.close());
    }
  }
}
