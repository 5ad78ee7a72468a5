package io.commbus.node;

import io.commbus.cluster.Cluster;
import io.commbus.coordinator.ClusterSight;

/** The registry's sight of the cluster, quorum included, from the node's Hazelcast view. */
final class QuorumSight implements ClusterSight {

  private final Cluster cluster;

  QuorumSight(Cluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public String self() {
    return cluster.nodeId();
  }

  @Override
  public View view() {
    Cluster.Sight sight = cluster.sight();
    return new View(sight.members(), sight.quorum());
  }
}
