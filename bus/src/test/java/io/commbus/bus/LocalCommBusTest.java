package io.commbus.bus;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract with both buses on one Vert.x instance. */
class LocalCommBusTest extends CommBusContract {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  @Override
  protected Vertx vertxA() {
    return vertx;
  }

  @Override
  protected Vertx vertxB() {
    return vertx;
  }
}
