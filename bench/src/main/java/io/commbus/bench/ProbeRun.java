package io.commbus.bench;

/** One run of sequential round trips: how long all of them took, and each one's latency. */
record ProbeRun(long nanos, long[] latencies) {
}
