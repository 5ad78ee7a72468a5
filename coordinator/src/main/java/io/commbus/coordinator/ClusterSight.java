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

  /**
   * The members a node sees and whether it has a quorum with them, read together: a decision
   * made on a member list and on a quorum read a moment apart could join two different views.
   */
  record View(List<String> members, boolean quorum) {

    public View {
      members = List.copyOf(members);
    }

    /** Whether {@code member} is in this view. */
    public boolean sees(String member) {
      return members.contains(member);
    }

    /**
     * Whether {@code self} speaks for nodes that left: the least member id of the view. Every
     * node with the same view picks the same one; views differ only in a split, where the quorum
     * decides.
     */
    public boolean speaksForDeparted(String self) {
      return members.isEmpty() || self.equals(Collections.min(members));
    }
  }

  /** This node's member id. */
  String self();

  /**
   * What this node sees now. Its quorum counts members gone without a goodbye; off a cluster it
   * always has one.
   */
  View view();

  /**
   * What Vert.x's cluster manager tells: this node's id and the members. It cannot tell a split
   * from a crash, so it always claims a quorum; a node on a cluster passes {@code Cluster}'s
   * sight instead. Off a cluster: this node alone, with a quorum.
   */
  static ClusterSight of(Vertx vertx) {
    ClusterManager manager = VertxInternals.clusterManager(vertx);
    if (manager == null) {
      View alone = new View(List.of(ALONE), true);
      return new ClusterSight() {
        @Override
        public String self() {
          return ALONE;
        }

        @Override
        public View view() {
          return alone;
        }
      };
    }
    return new ClusterSight() {
      @Override
      public String self() {
        return manager.getNodeId();
      }

      @Override
      public View view() {
        return new View(manager.getNodes(), true);
      }
    };
  }
}
