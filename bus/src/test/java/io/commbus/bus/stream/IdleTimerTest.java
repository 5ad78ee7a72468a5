package io.commbus.bus.stream;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class IdleTimerTest {

  private static final long IDLE_MILLIS = 50;

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void activityPostponesTheTimeoutByAWholeIdlePeriod() throws Exception {
    Promise<Long> fired = Promise.promise();
    long[] lastActivity = new long[1];
    vertx.runOnContext(v -> {
      IdleTimer[] timer = new IdleTimer[1];
      timer[0] = new IdleTimer(vertx, IDLE_MILLIS, () -> true, () -> fired.complete(System.nanoTime()));
      timer[0].arm();
      // Activity half-way through: the first timer finds it and waits for the rest.
      vertx.setTimer(IDLE_MILLIS / 2, id -> {
        lastActivity[0] = System.nanoTime();
        timer[0].activity();
      });
    });

    long firedAt = fired.future().await(10, TimeUnit.SECONDS);
    assertTrue((firedAt - lastActivity[0]) / 1_000_000 >= IDLE_MILLIS - 1,
        "fired " + (firedAt - lastActivity[0]) / 1_000_000 + " ms after the last activity");
  }

  @Test
  void itStaysQuietWhileTheStreamIsNotWaitingAndFiresOnceItIs() throws Exception {
    AtomicBoolean waiting = new AtomicBoolean(false);
    AtomicInteger fires = new AtomicInteger();
    Promise<Void> fired = Promise.promise();
    vertx.runOnContext(v -> {
      IdleTimer timer = new IdleTimer(vertx, IDLE_MILLIS, waiting::get, () -> {
        fires.incrementAndGet();
        fired.tryComplete();
      });
      timer.arm();
      waiting.set(true);
      timer.arm();
    });

    fired.future().await(10, TimeUnit.SECONDS);
    assertEquals(1, fires.get());
  }

  @Test
  void aCancelledTimerNeverFires() throws Exception {
    AtomicInteger fires = new AtomicInteger();
    Promise<Integer> afterwards = Promise.promise();
    vertx.runOnContext(v -> {
      IdleTimer timer = new IdleTimer(vertx, IDLE_MILLIS, () -> true, fires::incrementAndGet);
      timer.arm();
      timer.cancel();
      vertx.setTimer(IDLE_MILLIS * 3, id -> afterwards.complete(fires.get()));
    });

    assertEquals(0, afterwards.future().await(10, TimeUnit.SECONDS));
  }
}
