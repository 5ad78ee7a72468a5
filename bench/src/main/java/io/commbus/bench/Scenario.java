package io.commbus.bench;

import io.vertx.core.Future;

import java.util.List;

/** One operation measured through CommBus and through the raw event bus in the same run. */
interface Scenario {

  /** Registers both sides' consumers on the receiver loop; completes when they can receive. */
  Future<Void> open();

  /** Warms up, runs the rounds and turns them into table rows. */
  List<Row> measure(Rounds rounds, int count);

  /** Unregisters everything {@link #open()} registered. */
  Future<Void> close();
}
