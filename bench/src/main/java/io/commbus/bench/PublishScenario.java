package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Publish throughput: N events to one subscriber, timed from the first publish until the
 * subscriber has seen the last. Timing at the subscriber, not at the publisher, matters: a
 * publish returns once the event is queued, so the publisher's clock alone would flatter both.
 */
final class PublishScenario implements Scenario {

  private static final String TYPE = "bench.publish";
  private static final String RAW_ADDRESS = "bench.raw.publish";
  private static final String COMMBUS = "commbus";
  private static final String RAW = "raw publish";

  private final Loops loops;
  private final EventBus eventBus;
  private final CommBus bus;
  private final JsonObject body = Payloads.request();
  // The current run's counter. Runs never overlap: the next starts after this one's last event.
  private volatile Countdown arrivals;
  private MessageConsumer<JsonObject> rawConsumer;

  PublishScenario(Vertx vertx, Loops loops) {
    this.loops = loops;
    this.eventBus = vertx.eventBus();
    this.bus = CommBus.create(vertx);
  }

  @Override
  public Future<Void> open() {
    return loops.onReceiver(() -> {
      Registration subscription = bus.subscribe(TYPE, event -> arrivals.hit());
      rawConsumer = eventBus.consumer(RAW_ADDRESS, event -> arrivals.hit());
      return Future.all(subscription.ready(), rawConsumer.completion()).mapEmpty();
    });
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Map<String, List<Long>> nanos = rounds.measure(List.of(
        new Contender<>(COMMBUS, n -> run(n, countdown ->
            () -> bus.publish(Message.event(TYPE, body)).onFailure(countdown::fail))),
        new Contender<>(RAW, n -> run(n, countdown ->
            () -> eventBus.publish(RAW_ADDRESS, body)))), count);
    return List.of(Throughput.row("publish (1 subscriber)",
        Throughput.opsPerSecond(count, nanos.get(COMMBUS)), Throughput.opsPerSecond(count, nanos.get(RAW))));
  }

  private Future<Long> run(int count, Function<Countdown, Runnable> publisher) {
    Countdown countdown = new Countdown(count);
    arrivals = countdown;
    Runnable publishOne = publisher.apply(countdown);
    long start = System.nanoTime();
    Batches.issue(count, publishOne, countdown::seen);
    return countdown.done().map(end -> end - start);
  }

  @Override
  public Future<Void> close() {
    return Future.all(rawConsumer.unregister(), bus.close()).mapEmpty();
  }
}
