package io.commbus.process.pool;

/** Where a slot stands in its restart policy, as the admin API and the pool's health show it. */
public enum Supervision {
  /** Its child is starting for the first time, ready, or stopping on request. */
  RUNNING,
  /** Its child ended unasked and is being started again under the backoff. */
  RESTARTING,
  /** Its child failed more than {@code maxRestarts} times in a row: tried only every {@code givenUpRetryInterval}. */
  GIVEN_UP
}
