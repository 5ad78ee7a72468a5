package io.commbus.bench;

/**
 * How much one run of each process row does. A Python child serves tens of thousands of
 * requests a second, not hundreds of thousands, so these sizes are far below the event-bus
 * suites' and still give runs of a few tenths of a second.
 *
 * @param requests request/reply exchanges per run with many in flight
 * @param sequential request/reply exchanges per run with one in flight
 * @param items stream items per run, in each direction
 * @param callbacks sequential callback round trips per run
 * @param starts cold starts of a child per run
 */
public record ProcessSizes(int requests, int sequential, int items, int callbacks, int starts) {

  public ProcessSizes {
    if (Math.min(Math.min(requests, sequential), Math.min(Math.min(items, callbacks), starts)) < 1) {
      throw new IllegalArgumentException("every process size must be at least 1");
    }
  }

  static ProcessSizes full() {
    return new ProcessSizes(20_000, 3_000, 150_000, 2_000, 2);
  }

  static ProcessSizes quick() {
    return new ProcessSizes(500, 100, 2_000, 50, 1);
  }
}
