package io.commbus.bench;

/**
 * How much one run of each pipeline row does. The frames go from Python process to Python
 * process and never through the JVM, so there is no JIT to warm: runs only need to last long
 * enough (a second or so) that the start of the stream and the clock's grain do not show.
 *
 * @param smallFrames 640-byte frames per run through a chain of 2 and one of 4
 * @param bigFrames   1 MiB frames per run through a chain of 2
 * @param pacedFrames frames per run at {@link PipelineScenario#PACE} a second, for latency
 * @param creates     session creates per run and start mode
 */
public record PipelineSizes(int smallFrames, int bigFrames, int pacedFrames, int creates) {

  public PipelineSizes {
    // A rate is taken from the first frame to the last, so a run needs two at least.
    if (Math.min(Math.min(smallFrames, bigFrames), pacedFrames) < 2 || creates < 1) {
      throw new IllegalArgumentException("every pipeline run needs at least 2 frames and 1 create");
    }
  }

  static PipelineSizes full() {
    return new PipelineSizes(150_000, 1_500, 250, 5);
  }

  static PipelineSizes quick() {
    return new PipelineSizes(2_000, 20, 25, 2);
  }
}
