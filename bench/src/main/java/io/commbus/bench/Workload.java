package io.commbus.bench;

import io.vertx.core.Future;

/** One run of {@code count} operations, started on the driver loop; its result is the measurement. */
@FunctionalInterface
interface Workload<T> {
  Future<T> run(int count);
}
