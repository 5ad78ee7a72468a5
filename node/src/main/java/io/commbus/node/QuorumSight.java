package io.commbus.node;

import io.commbus.cluster.Cluster;
import io.commbus.coordinator.ClusterSight;

import java.util.List;

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
  public List<String> members() {
    return cluster.members();
  }

  @Override
  public boolean hasQuorum() {
    return cluster.hasQuorum();
  }
}
