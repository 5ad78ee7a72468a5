package io.commbus.bus.journal;

import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProjectionTest extends JournaledBusFixture {



  private void pay(int... cents) {
    List<Future<Long>> all = new ArrayList<>();
    for (int c : cents) {
      all.add(bus.publish(Message.event("OrderPaid", new JsonObject().put("cents", c))));
      all.add(bus.publish(Message.event("OrderShipped", new JsonObject())));
    }
    await(Future.all(all));
  }

  @Test
  void foldsEveryEventAndResumesFromASavedPosition() {
    pay(100, 250, 50);
    Projection<Long> revenue = Projection.start(bus, "OrderPaid", 0L, 0,
        (total, event) -> total + event.json().getLong("cents"));
    await(revenue.caughtUp());
    assertEquals(400L, revenue.state());
    long savedPosition = revenue.position();
    long savedState = revenue.state();
    await(revenue.stop());
    assertEquals(5L, savedPosition, "the last OrderPaid is at position 5");

    pay(1000);
    Projection<Long> resumed = Projection.start(bus, "OrderPaid", savedState, savedPosition,
        (total, event) -> total + event.json().getLong("cents"));
    await(resumed.caughtUp());

    assertEquals(1400L, resumed.state(), "nothing folded twice, nothing missed");
    assertEquals(7L, resumed.position());
  }
}
