package io.commbus.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.List;
import java.util.Objects;

/**
 * A clustered Vert.x instance together with the cluster manager it was built with, so that
 * whoever started it can see the membership without reaching into Vert.x's internals.
 */
public final class Cluster {

  private final Vertx vertx;
  private final ClusterManager manager;

  Cluster(Vertx vertx, ClusterManager manager) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.manager = Objects.requireNonNull(manager, "manager");
  }

  /** The clustered Vert.x instance. */
  public Vertx vertx() {
    return vertx;
  }

  /** This member's id in the cluster. */
  public String nodeId() {
    return manager.getNodeId();
  }

  /** The ids of the members this one currently sees, itself included. */
  public List<String> members() {
    return manager.getNodes();
  }

  /** The cluster manager itself, for membership listeners and the like. */
  public ClusterManager manager() {
    return manager;
  }
}
