package io.commbus.cluster;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quorum arithmetic of {@link ClusterView}, given members by their addresses as its
 * Hazelcast listener methods pass them on, with a clock the test moves. (Goodbyes need a running
 * Hazelcast: ClusteredVertxTest has them, NodeLeftTest a member killed without one.)
 */
class ClusterViewTest {

  private static final Duration SETTLE = Duration.ofSeconds(12);
  private static final String A = "10.0.0.1:5701";
  private static final String B = "10.0.0.2:5701";
  private static final String C = "10.0.0.3:5701";
  private static final String D = "10.0.0.4:5701";

  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T12:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    void pass(Duration duration) {
      now = now.plus(duration);
    }
  }

  private final TestClock clock = new TestClock();
  private final ClusterView view = new ClusterView(clock, SETTLE);
  /** What Hazelcast lists now; the view hears of it through seen and removed. */
  private Set<String> live = Set.of();

  private void seen(Set<String> members) {
    live = members;
    view.seen(members);
  }

  private void removed(String gone, Set<String> remaining) {
    live = remaining;
    view.removed(gone, remaining);
  }

  private boolean quorum() {
    return view.hasQuorum(live);
  }

  @Test
  void twoOfThreeHaveAQuorumOnceTheRemovalSettledAndOneAloneHasNone() {
    seen(Set.of(A, B, C));
    assertTrue(quorum());

    removed(C, Set.of(A, B));
    assertFalse(quorum(), "within the settle time another removal may follow");
    clock.pass(SETTLE.minusSeconds(1));
    assertFalse(quorum());
    clock.pass(Duration.ofSeconds(1));
    assertTrue(quorum(), "2 of 3, settled: " + view.health(live));
    assertEquals(1, view.health(live).missingMembers());

    removed(B, Set.of(A));
    clock.pass(SETTLE);
    assertFalse(quorum(), "1 of 3 is no majority, settled or not: " + view.health(live));
  }

  @Test
  void theSmallerSideCountsAMajorityBetweenItsRemovalsButHasNoQuorum() {
    seen(Set.of(A, B, C));

    // C is cut off: it removes A first, and B seconds later.
    removed(A, Set.of(B, C));
    clock.pass(Duration.ofSeconds(4));
    assertFalse(quorum(), "2 of 3 by count, but a removal four seconds old may not be the last");
    removed(B, Set.of(C));
    clock.pass(SETTLE);
    assertFalse(quorum());
    assertEquals(2, view.health(live).missingMembers());
  }

  @Test
  void aViewBehindHazelcastsMemberListClaimsNoQuorum() {
    seen(Set.of(A, B, C));
    clock.pass(SETTLE);

    // Hazelcast already lists C alone; the removal events have not reached the view yet.
    assertFalse(view.hasQuorum(Set.of(C)), "the view still counts 3 present: " + view.health(Set.of(C)));
    assertTrue(view.hasQuorum(Set.of(A, B, C)));
  }

  @Test
  void aMemberThatSaidGoodbyeIsNotMissing() {
    seen(Set.of(A, B));
    removed(B, Set.of(A));
    view.saidGoodbye(B);

    assertEquals(0, view.health(live).missingMembers());
    assertTrue(quorum(), "a stop on purpose costs no quorum, nor a settle time: " + view.health(live));
  }

  @Test
  void aMissingMemberBackAtItsAddressOrReplacedByAnotherIsNoLongerMissing() {
    seen(Set.of(A, B, C));
    removed(C, Set.of(A, B));

    seen(Set.of(A, B, C));
    assertEquals(0, view.health(live).missingMembers(), "back at its address (a restart, a merge)");
    assertTrue(quorum());

    removed(B, Set.of(A, C));
    seen(Set.of(A, C, D));
    assertEquals(0, view.health(live).missingMembers(), "as many present as ever seen: B was replaced");
    assertTrue(quorum(), view.health(live).toString());
  }
}
