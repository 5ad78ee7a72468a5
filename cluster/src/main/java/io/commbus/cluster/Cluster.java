package io.commbus.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A clustered Vert.x instance together with the cluster manager it was built with, so that
 * whoever started it can see the membership without reaching into Vert.x's internals.
 */
public final class Cluster {

  /**
   * The Hazelcast member attribute under which vertx-hazelcast keeps a member's Vert.x node id
   * (its own constant is private); the id every Vert.x API, and {@link #nodeId()}, speaks of.
   */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final ClusterManager manager;
  private final ClusterView view;

  Cluster(Vertx vertx, ClusterManager manager, ClusterView view) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.manager = Objects.requireNonNull(manager, "manager");
    this.view = Objects.requireNonNull(view, "view");
  }

  /** What this member sees of the cluster now: whole, members lost (a split among the causes), or merging. */
  public ClusterHealth health() {
    return view.health(live());
  }

  /**
   * Whether this member sees more than half of the cluster: the members present, and those gone
   * without saying goodbye (crashed, or on the other side of a split) and not back yet. A member
   * stopped on purpose says goodbye and no longer counts. For {@code maxNoHeartbeat} and two
   * heartbeats after a member is removed no member claims a quorum: others cut off with it may
   * not be removed yet. What
   * only one side of a split may decide for the whole cluster is decided on the side that has it.
   */
  public boolean hasQuorum() {
    return view.hasQuorum(live());
  }

  /** What this member sees now, read once: the members' node ids and whether it has a quorum with them. */
  public record Sight(List<String> members, boolean quorum) {
    public Sight {
      members = List.copyOf(members);
    }
  }

  /**
   * The members Hazelcast lists now (by the node id {@link #nodeId()} speaks of) and the quorum
   * with that same list, for a decision that needs both to agree.
   */
  public Sight sight() {
    Set<Member> members;
    try {
      members = ((HazelcastClusterManager) manager).getHazelcastInstance().getCluster().getMembers();
    } catch (RuntimeException stopped) {
      return new Sight(List.of(), false);
    }
    List<String> ids = new ArrayList<>();
    for (Member member : members) {
      String id = member.getAttribute(NODE_ID_ATTRIBUTE);
      if (id != null) {   // a data-only member runs no Vert.x
        ids.add(id);
      }
    }
    return new Sight(ids, view.hasQuorum(ClusterView.keys(members)));
  }

  /** The members Hazelcast lists now, by address; none once it has stopped. */
  private Set<String> live() {
    try {
      return ClusterView.keys(((HazelcastClusterManager) manager).getHazelcastInstance().getCluster().getMembers());
    } catch (RuntimeException stopped) {
      return Set.of();
    }
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

  /**
   * Calls {@code listener} with the member id (as {@link #nodeId()} gives it) of every member
   * that leaves or is declared dead, on a Hazelcast event thread, until the returned action is
   * run. Vert.x keeps the cluster manager's one node listener for itself; this is a second.
   * Fits {@code io.commbus.bus.Membership}: {@code options.setMembership(cluster::onMemberLeft)}.
   */
  public Runnable onMemberLeft(Consumer<String> listener) {
    HazelcastInstance hazelcast = ((HazelcastClusterManager) manager).getHazelcastInstance();
    UUID registration = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        String nodeId = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
        listener.accept(nodeId != null ? nodeId : event.getMember().getUuid().toString());
      }
    });
    return () -> {
      try {
        if (hazelcast.getLifecycleService().isRunning()) {
          hazelcast.getCluster().removeMembershipListener(registration);
        }
      } catch (RuntimeException stoppedMeanwhile) {
        // Hazelcast shut down between the check and the removal: the listener went with it.
      }
    };
  }

  /** The cluster manager itself, for membership listeners and the like. */
  public ClusterManager manager() {
    return manager;
  }
}
