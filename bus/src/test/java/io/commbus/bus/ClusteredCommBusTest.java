package io.commbus.bus;

import io.commbus.cluster.ClusterSettings;
import io.commbus.cluster.ClusteredVertx;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The contract between two clustered Vert.x nodes in this JVM, joined by Hazelcast over TCP-IP
 * on 127.0.0.1 with multicast off. Bus A runs on node A, bus B on node B.
 */
class ClusteredCommBusTest extends CommBusContract {

  private static Vertx nodeA;
  private static Vertx nodeB;

  @BeforeAll
  static void startCluster() {
    // A cluster name of its own, so a node running elsewhere on this machine is never joined.
    ClusterSettings settings = new ClusterSettings().setClusterName("commbus-test-" + UUID.randomUUID());
    nodeA = Await.result(ClusteredVertx.start(settings));
    nodeB = Await.result(ClusteredVertx.start(settings));
    assertEquals(2, ((io.vertx.core.internal.VertxInternal) nodeA).clusterManager().getNodes().size(),
        "the two nodes did not form one cluster");
  }

  @AfterAll
  static void stopCluster() {
    if (nodeB != null) {
      Await.result(nodeB.close());
    }
    if (nodeA != null) {
      Await.result(nodeA.close());
    }
  }

  @Override
  protected Vertx vertxA() {
    return nodeA;
  }

  @Override
  protected Vertx vertxB() {
    return nodeB;
  }
}
