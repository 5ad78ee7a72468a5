package io.commbus.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;

import java.time.Clock;
import java.time.Instant;

/**
 * What this member sees of its cluster, for health reports: how many members, the most it has
 * seen at once, and a {@link State} with since when. Hazelcast cannot tell a split from members
 * that crashed or were stopped, so fewer members than seen is reported as such, not as a split.
 * Registered through the Hazelcast config, so it sees the first view; thread-safe.
 */
final class ClusterView implements InitialMembershipListener, LifecycleListener {

  /** The cluster as this member sees it. */
  enum State {
    /** As many members as it has ever seen at once. */
    WHOLE,
    /** Fewer members than the most seen: a split, a crash, or a node stopped on purpose. */
    MEMBERS_LOST,
    /** Hazelcast is merging this member back into a cluster it was split from. */
    MERGING
  }

  private final Clock clock;
  private State state = State.WHOLE;
  private Instant since;
  private int members;
  private int mostSeen;

  ClusterView(Clock clock) {
    this.clock = clock;
    this.since = clock.instant();
  }

  /** The view now, as one consistent value. */
  synchronized ClusterHealth health() {
    return new ClusterHealth(state.name(), since, members, mostSeen);
  }

  @Override
  public void init(InitialMembershipEvent event) {
    seen(event.getMembers().size());
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    seen(event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    seen(event.getMembers().size());
  }

  @Override
  public synchronized void stateChanged(LifecycleEvent event) {
    if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
      become(State.MERGING);
    } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED
        || event.getState() == LifecycleEvent.LifecycleState.MERGE_FAILED) {
      become(members >= mostSeen ? State.WHOLE : State.MEMBERS_LOST);
    }
  }

  private synchronized void seen(int count) {
    members = count;
    mostSeen = Math.max(mostSeen, count);
    if (state != State.MERGING) {
      become(count >= mostSeen ? State.WHOLE : State.MEMBERS_LOST);
    }
  }

  private void become(State next) {
    if (next != state) {
      state = next;
      since = clock.instant();
    }
  }
}
