package io.commbus.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs contenders against each other: warm-up runs first, then measured rounds in which every
 * contender runs once. The order rotates each round so slow drift of the machine (frequency,
 * a noisy neighbour, heap growth) lands on every contender alike instead of always the second.
 *
 * <p>There is deliberately no {@code System.gc()} between runs: G1 shrinks the heap after a
 * full collection, so the next run paid for growing it again with extra young collections,
 * which made results lower and more erratic than without it.
 */
final class Rounds {

  private final Loops loops;
  private final int warmups;
  private final int rounds;
  private final Duration timeout;

  Rounds(Loops loops, int warmups, int rounds, Duration timeout) {
    this.loops = loops;
    this.warmups = warmups;
    this.rounds = rounds;
    this.timeout = timeout;
  }

  int rounds() {
    return rounds;
  }

  /** Each contender's measured results, one per round, keyed by contender name in the given order. */
  <T> Map<String, List<T>> measure(List<Contender<T>> contenders, int count) {
    // Warm every contender before measuring any, so the JIT has compiled the shared event-bus
    // code for all of them before the first measured run.
    for (Contender<T> contender : contenders) {
      for (int i = 0; i < warmups; i++) {
        runOnce(contender, count);
      }
    }
    Map<String, List<T>> results = new LinkedHashMap<>();
    contenders.forEach(contender -> results.put(contender.name(), new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (int i = 0; i < contenders.size(); i++) {
        Contender<T> contender = contenders.get((round + i) % contenders.size());
        results.get(contender.name()).add(runOnce(contender, count));
      }
    }
    return results;
  }

  private <T> T runOnce(Contender<T> contender, int count) {
    try {
      return loops.onDriver(() -> contender.workload().run(count)).await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new BenchFailure(contender.name() + " did not finish " + count + " operations within "
          + timeout.toMillis() + " ms", e);
    }
  }
}
