package io.commbus.bus;

import io.commbus.bus.TestMessages.GetPrice;
import io.commbus.bus.TestMessages.Price;
import io.commbus.bus.TestMessages.Tick;
import io.commbus.bus.TestMessages.Ticks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kind each registration reports, one per {@link Registration.Kind}. */
class RegistrationKindTest {

  private Vertx vertx;
  private CommBus bus;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    bus = CommBus.create(vertx);
  }

  @AfterEach
  void stop() {
    result(vertx.close());
  }

  @Test
  void theLabelsAreTheOnesKindAlwaysReported() {
    assertEquals(List.of("handler", "stream-handler", "subscriber", "journal-subscriber", "group-member"),
        Arrays.stream(Registration.Kind.values()).map(Registration.Kind::label).toList());
  }

  @Test
  void eachRegistrationReportsItsKind() {
    Registration handler = result(bus.registerHandler(GetPrice.class, q -> Future.succeededFuture(new Price("A", 1))));
    Registration streamHandler = result(bus.registerStreamHandler(Ticks.class,
        (Ticks q, StreamSink<Tick> sink) -> sink.end()));
    Registration subscriber = bus.subscribe("Seen", m -> {
    });
    Registration replay = bus.subscribeFrom("Seen", 1, m -> {
    });

    assertEquals(Registration.Kind.HANDLER.label(), handler.kind());
    assertEquals(Registration.Kind.STREAM_HANDLER.label(), streamHandler.kind());
    assertEquals(Registration.Kind.SUBSCRIBER.label(), subscriber.kind());
    assertEquals(Registration.Kind.JOURNAL_SUBSCRIBER.label(), replay.kind(), "even when it cannot start");
  }
}
