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

  @Test
  void twoOfThreeHaveAQuorumOnceTheRemovalSettledAndOneAloneHasNone() {
    view.seen(Set.of(A, B, C));
    assertTrue(view.hasQuorum());

    view.removed(C, Set.of(A, B));
    assertFalse(view.hasQuorum(), "within the settle time another removal may follow");
    clock.pass(SETTLE.minusSeconds(1));
    assertFalse(view.hasQuorum());
    clock.pass(Duration.ofSeconds(1));
    assertTrue(view.hasQuorum(), "2 of 3, settled: " + view.health());
    assertEquals(1, view.health().missingMembers());

    view.removed(B, Set.of(A));
    clock.pass(SETTLE);
    assertFalse(view.hasQuorum(), "1 of 3 is no majority, settled or not: " + view.health());
  }

  @Test
  void theSmallerSideCountsAMajorityBetweenItsRemovalsButHasNoQuorum() {
    view.seen(Set.of(A, B, C));

    // C is cut off: it removes A first, and B seconds later.
    view.removed(A, Set.of(B, C));
    clock.pass(Duration.ofSeconds(4));
    assertFalse(view.hasQuorum(), "2 of 3 by count, but a removal four seconds old may not be the last");
    view.removed(B, Set.of(C));
    clock.pass(SETTLE);
    assertFalse(view.hasQuorum());
    assertEquals(2, view.health().missingMembers());
  }

  @Test
  void aMemberThatSaidGoodbyeIsNotMissing() {
    view.seen(Set.of(A, B));
    view.removed(B, Set.of(A));
    view.saidGoodbye(B);

    assertEquals(0, view.health().missingMembers());
    assertTrue(view.hasQuorum(), "a stop on purpose costs no quorum, nor a settle time: " + view.health());
  }

  @Test
  void aMissingMemberBackAtItsAddressOrReplacedByAnotherIsNoLongerMissing() {
    view.seen(Set.of(A, B, C));
    view.removed(C, Set.of(A, B));

    view.seen(Set.of(A, B, C));
    assertEquals(0, view.health().missingMembers(), "back at its address (a restart, a merge)");
    assertTrue(view.hasQuorum());

    view.removed(B, Set.of(A, C));
    view.seen(Set.of(A, C, D));
    assertEquals(0, view.health().missingMembers(), "as many present as ever seen: B was replaced");
    assertTrue(view.hasQuorum(), view.health().toString());
  }
}
