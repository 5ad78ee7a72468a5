package io.commbus.cluster;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What this member sees of its cluster, for health reports and for deciding whether it may
 * speak for the cluster: how many members, the most it has seen at once, a {@link State} with
 * since when, and whether it sees a quorum.
 *
 * <p>Hazelcast cannot tell a split from a crash: both look like a member that stopped
 * answering. It can tell neither from a member stopped on purpose, so each member says goodbye
 * before it leaves ({@link Goodbyes}). A member removed without a goodbye is <em>missing</em>
 * until it (or a member at its address) is back, or until as many members are present as were
 * ever seen at once (then it was replaced). This member has a quorum while it sees more than
 * half of the members present and missing, and no missing member was removed within the
 * {@code settle} time: the members cut off together are removed one by one, seconds apart, and
 * until the last is, the smaller side of a split counts a majority it does not have. On the
 * smaller side of a split, or alone after the others crashed, it has none.
 *
 * <p>Registered through the Hazelcast config, so it sees the first view; thread-safe.
 */
final class ClusterView implements InitialMembershipListener, LifecycleListener, HazelcastInstanceAware {

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
  private final Duration settle;
  private final Set<String> present = new HashSet<>();
  /** The members gone without a goodbye and not back, with when each was removed. */
  private final Map<String, Instant> missing = new HashMap<>();
  private volatile HazelcastInstance hazelcast;
  private State state = State.WHOLE;
  private Instant since;
  private int mostSeen;

  ClusterView(Clock clock, Duration settle) {
    this.clock = clock;
    this.settle = settle;
    this.since = clock.instant();
  }

  /** The view now, as one consistent value; {@code live} are the members Hazelcast lists now (see {@link #hasQuorum}). */
  synchronized ClusterHealth health(Set<String> live) {
    return new ClusterHealth(state.name(), since, present.size(), mostSeen, hasQuorum(live), missing.size());
  }

  /**
   * Whether this member sees more than half of the members present and missing, and none was
   * removed within the settle time. {@code live} are the members Hazelcast lists now: its list
   * changes at once, its membership events reach this view a moment later, and while the two
   * differ this view is behind and claims nothing.
   */
  synchronized boolean hasQuorum(Set<String> live) {
    if (!present.equals(live)) {
      return false;
    }
    Instant settledBefore = clock.instant().minus(settle);
    for (Instant removed : missing.values()) {
      if (removed.isAfter(settledBefore)) {
        return false;
      }
    }
    return present.size() * 2 > present.size() + missing.size();
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.hazelcast = instance;
  }

  @Override
  public void init(InitialMembershipEvent event) {
    seen(keys(event.getMembers()));
    HazelcastInstance instance = hazelcast;
    if (instance != null) {
      Goodbyes.forgetOwn(instance);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    seen(keys(event.getMembers()));
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String gone = Goodbyes.key(event.getMember().getAddress());
    removed(gone, keys(event.getMembers()));
    askForGoodbye(gone);
  }

  /** The member at {@code gone} was removed, {@code remaining} are present: it is missing until a goodbye says otherwise. */
  synchronized void removed(String gone, Set<String> remaining) {
    missing.put(gone, clock.instant());
    seen(remaining);
  }

  /** The member at {@code member} left a goodbye: it stopped on purpose, so it is not missing. */
  synchronized void saidGoodbye(String member) {
    missing.remove(member);
  }

  /** A goodbye, if the member left one, was stored before it began to leave. */
  private void askForGoodbye(String gone) {
    HazelcastInstance instance = hazelcast;
    if (instance != null) {
      Goodbyes.lookUp(instance, gone, this::saidGoodbye);
    }
  }

  @Override
  public void stateChanged(LifecycleEvent event) {
    LifecycleEvent.LifecycleState changed = event.getState();
    if (changed == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
      sayGoodbye();
      return;
    }
    if (changed == LifecycleEvent.LifecycleState.MERGED) {
      // The merged member joined a cluster anew: read its members rather than rely on events for them.
      refresh();
    }
    synchronized (this) {
      if (changed == LifecycleEvent.LifecycleState.MERGING) {
        become(State.MERGING);
      } else if (changed == LifecycleEvent.LifecycleState.MERGED
          || changed == LifecycleEvent.LifecycleState.MERGE_FAILED) {
        become(present.size() >= mostSeen ? State.WHOLE : State.MEMBERS_LOST);
      }
    }
  }

  private void refresh() {
    HazelcastInstance instance = hazelcast;
    if (instance != null) {
      try {
        seen(keys(instance.getCluster().getMembers()));
      } catch (RuntimeException stopping) {
        // Shutting down: nothing to see.
      }
    }
  }

  /** Runs on the thread shutting Hazelcast down, before this member leaves. */
  private void sayGoodbye() {
    HazelcastInstance instance = hazelcast;
    if (instance != null && members() >= 2) {
      Goodbyes.say(instance);
    }
  }

  private synchronized int members() {
    return present.size();
  }

  /** The {@link Goodbyes#key}s of {@code members}. */
  static Set<String> keys(Set<Member> members) {
    Set<String> keys = new HashSet<>();
    for (Member member : members) {
      keys.add(Goodbyes.key(member.getAddress()));
    }
    return keys;
  }

  /** The members at {@code members} are present now (by their {@link Goodbyes#key}s). */
  synchronized void seen(Set<String> members) {
    present.clear();
    present.addAll(members);
    // A member back at its address (after a restart or a merge) is no longer missing.
    missing.keySet().removeAll(present);
    mostSeen = Math.max(mostSeen, present.size());
    // Nor are members replaced: a crashed node back at another address, or a new one in its
    // place, would otherwise be counted twice for ever. The oldest missing go first.
    while (missing.size() > mostSeen - present.size()) {
      missing.entrySet().stream().min(Map.Entry.comparingByValue()).map(Map.Entry::getKey).ifPresent(missing::remove);
    }
    if (state != State.MERGING) {
      become(present.size() >= mostSeen ? State.WHOLE : State.MEMBERS_LOST);
    }
  }

  private void become(State next) {
    if (next != state) {
      state = next;
      since = clock.instant();
    }
  }
}
