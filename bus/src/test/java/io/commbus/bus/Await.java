package io.commbus.bus;

import io.commbus.bus.error.CommBusException;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

/** Blocking waits for test threads, bounded so a broken bus fails the test instead of hanging it. */
final class Await {

  static final long SECONDS = 20;

  private Await() {
  }

  static <T> T result(Future<T> future) {
    try {
      return future.await(SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + SECONDS + " s", e);
    }
  }

  /** Waits for the future to fail and returns its error, which must be a CommBusException. */
  static CommBusException failure(Future<?> future) {
    try {
      Object value = future.await(SECONDS, TimeUnit.SECONDS);
      return fail("expected a failure, got " + value);
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + SECONDS + " s", e);
    } catch (Throwable t) {
      return assertInstanceOf(CommBusException.class, t, () -> "expected a CommBusException, got " + t);
    }
  }
}
