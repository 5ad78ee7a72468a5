package io.commbus.bench;

/** One side of a comparison: CommBus or a raw event-bus baseline. */
record Contender<T>(String name, Workload<T> workload) {
}
