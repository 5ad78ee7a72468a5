package io.commbus.bench;

/** One timed run of appends or raw writes: how long it took, and each operation's latency. */
record JournalRun(long nanos, long[] latencies) {
}
