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
 * @param scaleTo children the scale-up row resizes a pool of one to
 * @param importSeconds how long the scale-up row's module takes to import
 */
public record ProcessSizes(int requests, int sequential, int items, int callbacks, int starts, int scaleTo,
                           double importSeconds) {

  public ProcessSizes {
    if (Math.min(Math.min(requests, sequential), Math.min(Math.min(items, callbacks), starts)) < 1 || scaleTo < 2
        || importSeconds < 0) {
      throw new IllegalArgumentException("every process size must be at least 1, and a scale-up at least 2");
    }
  }

  static ProcessSizes full() {
    return new ProcessSizes(20_000, 3_000, 150_000, 2_000, 2, 8, 2.0);
  }

  static ProcessSizes quick() {
    return new ProcessSizes(500, 100, 2_000, 50, 1, 3, 0.2);
  }
}
