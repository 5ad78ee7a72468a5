package io.commbus.process.pool;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestartPolicyTest {

  private final RestartPolicy policy = new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(10), 3,
      Duration.ofSeconds(10), Duration.ofMinutes(1));

  @Test
  void theDelayDoublesPerFailureUpToItsCap() {
    assertEquals(100, policy.delayMillis(1));
    assertEquals(200, policy.delayMillis(2));
    assertEquals(6400, policy.delayMillis(7));
    assertEquals(10_000, policy.delayMillis(8));
    assertEquals(10_000, policy.delayMillis(200));
  }

  @Test
  void aChildIsGivenUpAfterMoreThanMaxRestartsFailuresInARow() {
    assertFalse(policy.givesUp(3));
    assertTrue(policy.givesUp(4));
  }
}
