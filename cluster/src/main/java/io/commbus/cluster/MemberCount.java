package io.commbus.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.MembershipEvent;

import java.util.concurrent.CompletableFuture;

/**
 * Watches the membership of the Hazelcast instance it is registered with (through the config,
 * so it sees the first view) and completes once the cluster has {@code minimum} members.
 * Vert.x keeps the cluster manager's one node listener for itself, hence a Hazelcast listener.
 */
final class MemberCount implements InitialMembershipListener {

  private final int minimum;
  private final CompletableFuture<Void> reached = new CompletableFuture<>();
  private volatile int seen;

  MemberCount(int minimum) {
    this.minimum = minimum;
  }

  /** Completes once {@code minimum} members were seen at once. */
  CompletableFuture<Void> reached() {
    return reached;
  }

  /** How many members the last view had; 0 before Hazelcast has joined. */
  int seen() {
    return seen;
  }

  int minimum() {
    return minimum;
  }

  @Override
  public void init(InitialMembershipEvent event) {
    count(event.getMembers().size());
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    count(event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    count(event.getMembers().size());
  }

  private void count(int members) {
    seen = members;
    if (members >= minimum) {
      reached.complete(null);
    }
  }
}
