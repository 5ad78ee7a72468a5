package io.commbus.bench;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Send throughput: N commands to one handler, timed until the handler has seen all N and
 * every send future has completed. CommBus's send is a request answered with an ack (that is
 * how it can report NO_HANDLER), so it is compared twice: with raw one-way {@code send}, the
 * cost a user switching from the raw bus sees, and with raw {@code request} plus an empty
 * reply, the same exchange without CommBus's own work, which isolates that work.
 */
final class SendScenario implements Scenario {

  private static final String TYPE = "bench.send";
  private static final String RAW_SEND_ADDRESS = "bench.raw.send";
  private static final String RAW_REQUEST_ADDRESS = "bench.raw.send-request";
  private static final String COMMBUS = "commbus";
  private static final String RAW_SEND = "raw send";
  private static final String RAW_REQUEST = "raw request";

  private final Loops loops;
  private final EventBus eventBus;
  private final CommBus bus;
  private final JsonObject body = Payloads.request();
  // The current run's handler-side counter; runs never overlap.
  private volatile Countdown arrivals;
  private MessageConsumer<JsonObject> rawSendConsumer;
  private MessageConsumer<JsonObject> rawRequestConsumer;

  SendScenario(Vertx vertx, Loops loops) {
    this.loops = loops;
    this.eventBus = vertx.eventBus();
    this.bus = CommBus.create(vertx);
  }

  @Override
  public Future<Void> open() {
    return loops.onReceiver(() -> {
      rawSendConsumer = eventBus.consumer(RAW_SEND_ADDRESS, command -> arrivals.hit());
      rawRequestConsumer = eventBus.consumer(RAW_REQUEST_ADDRESS, command -> {
        arrivals.hit();
        command.reply(null);
      });
      return Future.all(rawSendConsumer.completion(), rawRequestConsumer.completion(),
          bus.registerHandler(TYPE, command -> {
            arrivals.hit();
            return Future.succeededFuture();
          })).mapEmpty();
    });
  }

  @Override
  public List<Row> measure(Rounds rounds, int count) {
    Map<String, List<Long>> nanos = rounds.measure(List.of(
        new Contender<>(COMMBUS, n -> confirmed(n, acks -> () -> bus.send(Message.command(TYPE, body))
            .onComplete(ack -> acks.hit(), acks::fail))),
        new Contender<>(RAW_SEND, this::oneWay),
        new Contender<>(RAW_REQUEST, n -> confirmed(n, acks -> () -> eventBus.request(RAW_REQUEST_ADDRESS, body)
            .onComplete(ack -> acks.hit(), acks::fail)))), count);
    List<Double> commbus = Throughput.opsPerSecond(count, nanos.get(COMMBUS));
    return List.of(
        Throughput.row("send vs raw send (one-way)", commbus, Throughput.opsPerSecond(count, nanos.get(RAW_SEND))),
        Throughput.row("send vs raw request + empty reply", commbus,
            Throughput.opsPerSecond(count, nanos.get(RAW_REQUEST))));
  }

  private Future<Long> oneWay(int count) {
    Countdown received = new Countdown(count);
    arrivals = received;
    long start = System.nanoTime();
    Batches.issue(count, () -> eventBus.send(RAW_SEND_ADDRESS, body), received::seen);
    return received.done().map(end -> end - start);
  }

  /** A run that ends when the handler has every command and the sender every confirmation. */
  private Future<Long> confirmed(int count, Function<Countdown, Runnable> sender) {
    Countdown received = new Countdown(count);
    Countdown acks = new Countdown(count);
    arrivals = received;
    Runnable sendOne = sender.apply(acks);
    long start = System.nanoTime();
    Batches.issue(count, sendOne, received::seen);
    return Future.all(received.done(), acks.done())
        .map(both -> Math.max(both.<Long>resultAt(0), both.<Long>resultAt(1)) - start);
  }

  @Override
  public Future<Void> close() {
    return Future.all(rawSendConsumer.unregister(), rawRequestConsumer.unregister(), bus.close()).mapEmpty();
  }
}
