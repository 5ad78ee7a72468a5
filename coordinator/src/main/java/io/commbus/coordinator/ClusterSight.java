package io.commbus.coordinator;

import io.commbus.bus.internal.VertxInternals;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.Collections;
import java.util.List;

/**
 * What the service registry needs to know of the cluster to decide which single node writes a
 * service's health: the node that registered it while that node is in the cluster, else the
 * node that speaks for departed nodes; and either only while it sees a quorum, so a node cut
 * off from the others cannot declare their services down. {@code commbus-cluster}'s
 * {@code Cluster} gives all of it; {@link #of(Vertx)} reads what Vert.x's cluster manager knows.
 */
public interface ClusterSight {

  /** The member id off a cluster. */
  String ALONE = "local";

  /** This node's member id. */
  String self();

  /** The member ids this node sees now, itself included. */
  List<String> members();

  /**
   * Whether this node sees more than half of the cluster, counting members gone without a
   * goodbye. Always true off a cluster.
   */
  boolean hasQuorum();

  /** Whether {@code member} is in this node's view. */
  default boolean sees(String member) {
    return members().contains(member);
  }

  /**
   * Whether this node speaks for nodes that left: the least member id of its view. Every node
   * with the same view picks the same one; views differ only in a split, where the quorum decides.
   */
  default boolean speaksForDeparted() {
    List<String> members = members();
    return members.isEmpty() || self().equals(Collections.min(members));
  }

  /**
   * What Vert.x's cluster manager tells: this node's id and the members. It cannot tell a split
   * from a crash, so it always claims a quorum; a node on a cluster passes {@code Cluster}'s
   * sight instead. Off a cluster: this node alone, with a quorum.
   */
  static ClusterSight of(Vertx vertx) {
    ClusterManager manager = VertxInternals.clusterManager(vertx);
    if (manager == null) {
      return new ClusterSight() {
        @Override
        public String self() {
          return ALONE;
        }

        @Override
        public List<String> members() {
          return List.of(ALONE);
        }

        @Override
        public boolean hasQuorum() {
          return true;
        }
      };
    }
    return new ClusterSight() {
      @Override
      public String self() {
        return manager.getNodeId();
      }

      @Override
      public List<String> members() {
        return manager.getNodes();
      }

      @Override
      public boolean hasQuorum() {
        return true;
      }
    };
  }
}
