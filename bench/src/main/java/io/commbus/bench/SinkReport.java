package io.commbus.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;

/**
 * What a chain's sink reported at the end of a run (pipe_workload.Tally, the same code on both
 * sides): the frames it counted, the seconds from the first to the last, the processor time
 * it spent over them, and each frame's latency in microseconds if the load asked for them.
 */
record SinkReport(int frames, double seconds, double cpuSeconds, long[] latenciesMicros) {

  /** The report in {@code json}, checked against the load it is the end of. */
  static SinkReport read(JsonObject json, ChainLoad load, String side) {
    int frames = json.getInteger("frames", -1);
    double seconds = json.getDouble("seconds", 0.0);
    if (frames != load.frames() || !(seconds > 0)) {
      throw new BenchFailure(side + " chain's sink counted " + frames + " of " + load.frames() + " frames in "
          + seconds + " s: " + json.encode());
    }
    JsonArray latencies = json.getJsonArray("latenciesMicros", new JsonArray());
    long[] micros = new long[latencies.size()];
    for (int i = 0; i < micros.length; i++) {
      micros[i] = latencies.getLong(i);
    }
    if (load.latencies() && micros.length != frames) {
      throw new BenchFailure(side + " chain's sink timed " + micros.length + " of " + frames + " frames");
    }
    Arrays.sort(micros);
    return new SinkReport(frames, seconds, json.getDouble("cpuSeconds", 0.0), micros);
  }

  /** Frames per second between the first and the last, which are {@code frames - 1} intervals apart. */
  double framesPerSecond() {
    return (frames - 1) / seconds;
  }

  /** The sink's processor time per frame over the same span, in microseconds. */
  double cpuMicrosPerFrame() {
    return cpuSeconds * 1e6 / (frames - 1);
  }
}
