package io.commbus.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.map.IMap;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What this member sees of its cluster, for health reports and for deciding whether it may
 * speak for the cluster: how many members, the most it has seen at once, a {@link State} with
 * since when, and whether it sees a quorum.
 *
 * <p>Hazelcast cannot tell a split from a crash: both look like a member that stopped
 * answering. It can tell neither from a member stopped on purpose, so each member says goodbye
 * before it leaves: while shutting down it writes its address into a small replicated map, and
 * the others look there when it is removed. A member removed without a goodbye is <em>missing</em>
 * until it (or a member at its address) is back; this member has a quorum while it sees more
 * than half of the members present and missing, and no missing member was removed within the
 * {@code settle} time (the cluster's {@code maxNoHeartbeat}): the members cut off together are
 * removed one by one, seconds apart, and until the last is, the smaller side of a split counts a
 * majority it does not have. On the smaller side of a split, or alone after the others crashed,
 * it has none.
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

  /** The map members write their address into as they leave on purpose. */
  static final String GOODBYES = "commbus.cluster.goodbyes";
  /** How long a leaving member waits for its goodbye to be stored before it leaves regardless. */
  private static final long GOODBYE_BOUND_SECONDS = 5;

  private static final System.Logger LOG = System.getLogger(ClusterView.class.getName());

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

  /** The view now, as one consistent value. */
  synchronized ClusterHealth health() {
    return new ClusterHealth(state.name(), since, present.size(), mostSeen, hasQuorum(), missing.size());
  }

  /** Whether this member sees more than half of the members present and missing, and none was removed within the settle time. */
  synchronized boolean hasQuorum() {
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
    seen(event.getMembers());
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    seen(event.getMembers());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String gone = key(event.getMember().getAddress());
    synchronized (this) {
      missing.put(gone, clock.instant());
    }
    seen(event.getMembers());
    askForGoodbye(gone);
  }

  /** A goodbye, if the member left one, was stored before it began to leave; the lookup does not block Hazelcast's event thread. */
  private void askForGoodbye(String gone) {
    HazelcastInstance instance = hazelcast;
    if (instance == null) {
      return;
    }
    try {
      IMap<String, Long> goodbyes = instance.getMap(GOODBYES);
      goodbyes.getAsync(gone).whenComplete((left, e) -> {
        if (left != null) {
          synchronized (this) {
            missing.remove(gone);
          }
          goodbyes.removeAsync(gone);
        }
      });
    } catch (RuntimeException stopping) {
      // This member is shutting down itself: what it sees no longer matters.
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
        seen(instance.getCluster().getMembers());
      } catch (RuntimeException stopping) {
        // Shutting down: nothing to see.
      }
    }
  }

  /** Runs on the thread shutting Hazelcast down, before this member leaves, so it may block, boundedly. */
  private void sayGoodbye() {
    HazelcastInstance instance = hazelcast;
    if (instance == null || health().members() < 2) {
      return;
    }
    try {
      instance.<String, Long>getMap(GOODBYES).putAsync(key(instance.getCluster().getLocalMember().getAddress()),
          clock.millis()).toCompletableFuture().get(GOODBYE_BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The others then count this member missing until it is back: they are more careful, not wrong.
      LOG.log(System.Logger.Level.DEBUG, "could not say goodbye to the cluster: " + e);
    }
  }

  private synchronized void seen(Set<Member> members) {
    present.clear();
    for (Member member : members) {
      present.add(key(member.getAddress()));
    }
    // A member back at its address (after a restart or a merge) is no longer missing.
    missing.keySet().removeAll(present);
    mostSeen = Math.max(mostSeen, present.size());
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

  private static String key(Address address) {
    return address.getHost() + ":" + address.getPort();
  }
}
