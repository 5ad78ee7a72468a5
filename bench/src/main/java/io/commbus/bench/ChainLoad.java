package io.commbus.bench;

import io.vertx.core.json.JsonObject;

/**
 * What one run sends down a chain of {@code nodes} processes (a source, relays, a sink):
 * {@code frames} frames of {@code frameBytes} bytes each, as fast as the chain takes them
 * ({@code rate} 0) or {@code rate} a second, and whether the sink keeps every frame's latency.
 * Both sides of a row run the same load.
 */
record ChainLoad(int nodes, int frames, int frameBytes, double rate, boolean latencies) {

  ChainLoad {
    if (nodes < 2 || frames < 2 || frameBytes < 1 || rate < 0) {
      throw new IllegalArgumentException("a chain has a source and a sink, and a run at least two frames");
    }
  }

  /** As fast as the chain takes them. */
  static ChainLoad flat(int nodes, int frameBytes, int frames) {
    return new ChainLoad(nodes, frames, frameBytes, 0, false);
  }

  /** {@code rate} a second, every frame timed. */
  static ChainLoad paced(int nodes, int frameBytes, double rate, int frames) {
    return new ChainLoad(nodes, frames, frameBytes, rate, true);
  }

  /** The same load with another number of frames: what a round's count sets. */
  ChainLoad withFrames(int frames) {
    return new ChainLoad(nodes, frames, frameBytes, rate, latencies);
  }

  /** The source node's config, which pipe_baseline.py takes as options of the same names. */
  JsonObject sourceConfig() {
    return new JsonObject().put("frames", frames).put("size", frameBytes).put("rate", rate);
  }

  JsonObject sinkConfig() {
    return new JsonObject().put("latencies", latencies);
  }
}
