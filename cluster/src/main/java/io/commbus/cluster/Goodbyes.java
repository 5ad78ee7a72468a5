package io.commbus.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The goodbyes members say as they stop on purpose, so the others can tell them from members
 * that crashed or were cut off: a leaving member writes its address into a Hazelcast map before
 * it leaves, and a survivor looks there when Hazelcast removes it.
 *
 * <p>An entry is never taken by the one who reads it, since every survivor reads it, each when
 * its own removal event comes; it lives for {@link #LIFETIME_SECONDS} and is removed by the
 * member itself when a process at the same address joins again, so an old goodbye never excuses a
 * later crash at that address.
 */
final class Goodbyes {

  /** The map members write their address into as they leave on purpose. */
  static final String MAP = "commbus.cluster.goodbyes";
  /** Long enough for every survivor's removal event, short enough to excuse no later departure. */
  static final long LIFETIME_SECONDS = 60;
  /** How long a leaving member waits for its goodbye to be stored before it leaves regardless. */
  private static final long STORE_BOUND_SECONDS = 5;

  private static final System.Logger LOG = System.getLogger(Goodbyes.class.getName());

  private Goodbyes() {
  }

  /** The key of a member: its Hazelcast address, the same after a restart or a merge. */
  static String key(Address address) {
    return address.getHost() + ":" + address.getPort();
  }

  /** Stores this member's goodbye; on the thread shutting Hazelcast down, so it may block, boundedly. */
  static void say(HazelcastInstance hazelcast) {
    try {
      goodbyes(hazelcast).putAsync(key(hazelcast.getCluster().getLocalMember().getAddress()),
          System.currentTimeMillis(), LIFETIME_SECONDS, TimeUnit.SECONDS)
          .toCompletableFuture().get(STORE_BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // The others then count this member missing until it is back: they are more careful, not wrong.
      LOG.log(System.Logger.Level.DEBUG, "could not say goodbye to the cluster: " + e);
    }
  }

  /** Forgets a goodbye this member's address left in an earlier life, without waiting. */
  static void forgetOwn(HazelcastInstance hazelcast) {
    try {
      goodbyes(hazelcast).removeAsync(key(hazelcast.getCluster().getLocalMember().getAddress()));
    } catch (RuntimeException stopping) {
      // Shutting down already: nothing to forget for.
    }
  }

  /** Calls {@code said} with {@code member}'s key if it left a goodbye; does not block Hazelcast's event thread. */
  static void lookUp(HazelcastInstance hazelcast, String member, Consumer<String> said) {
    try {
      goodbyes(hazelcast).getAsync(member).whenComplete((left, e) -> {
        if (left != null) {
          said.accept(member);
        }
      });
    } catch (RuntimeException stopping) {
      // This member is shutting down itself: what it sees no longer matters.
    }
  }

  private static IMap<String, Long> goodbyes(HazelcastInstance hazelcast) {
    return hazelcast.getMap(MAP);
  }
}
