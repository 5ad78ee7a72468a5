package io.commbus.bench;

/** A run that did not complete or produced a number that cannot be right. */
public final class BenchFailure extends RuntimeException {

  public BenchFailure(String message) {
    super(message);
  }

  public BenchFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
