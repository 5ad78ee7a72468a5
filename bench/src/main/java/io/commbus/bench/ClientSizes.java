package io.commbus.bench;

/**
 * How much one run of each client-endpoint row does. Request/reply as in the process suite,
 * whose pool child is the baseline; publishes are those of the Python client, and the Java
 * API beside it publishes {@link ClientScenario#JAVA_PUBLISH_FACTOR} times as many per run,
 * since it is that much faster and a run must last a few tenths of a second either way. The
 * gRPC row's external client makes {@code requests} queries per run, and its grpcio baseline
 * {@link ClientScenario#GRPC_DIVISOR} times fewer calls, for the same reason the other way round.
 *
 * @param sequential request/reply exchanges per run with one in flight
 * @param requests   request/reply exchanges per run with many in flight
 * @param publishes  events the Python client publishes per run
 */
public record ClientSizes(int sequential, int requests, int publishes) {

  public ClientSizes {
    if (Math.min(sequential, Math.min(requests, publishes)) < 1) {
      throw new IllegalArgumentException("every client size must be at least 1");
    }
  }

  static ClientSizes full() {
    return new ClientSizes(3_000, 20_000, 20_000);
  }

  static ClientSizes quick() {
    return new ClientSizes(100, 500, 500);
  }
}
