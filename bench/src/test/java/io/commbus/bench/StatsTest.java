package io.commbus.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Percentile and median arithmetic, where an off-by-one would quietly skew every table. */
class StatsTest {

  @Test
  void nearestRankPercentiles() {
    long[] hundred = new long[100];
    for (int i = 0; i < hundred.length; i++) {
      hundred[i] = i + 1;
    }
    assertEquals(50, Stats.percentile(hundred, 50));
    assertEquals(90, Stats.percentile(hundred, 90));
    assertEquals(99, Stats.percentile(hundred, 99));
    assertEquals(100, Stats.percentile(hundred, 100));
    assertEquals(1, Stats.percentile(hundred, 0.5));
    assertEquals(7, Stats.percentile(new long[] {7}, 99));
    assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new long[0], 50));
    assertThrows(IllegalArgumentException.class, () -> Stats.percentile(hundred, 0));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(3.0, Stats.median(List.of(5.0, 1.0, 3.0)));
    assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)));
    assertThrows(IllegalArgumentException.class, () -> Stats.median(List.of()));
  }

  @Test
  void unionOfRunsIsSorted() {
    assertArrayEquals(new long[] {1, 2, 3, 4}, Stats.sortedUnion(List.of(new long[] {4, 1}, new long[] {3, 2})));
  }
}
