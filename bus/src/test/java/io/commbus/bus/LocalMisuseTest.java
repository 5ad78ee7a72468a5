package io.commbus.bus;

import io.commbus.bus.TestMessages.Tick;
import io.commbus.bus.TestMessages.Ticks;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.commbus.bus.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mistakes of the calling code are reported as IllegalArgumentException or
 * IllegalStateException, not as error codes: codes are for what crosses the bus.
 */
class LocalMisuseTest {

  private Vertx vertx;
  private CommBus bus;

  /** Marked both as an event and as a command: no verb fits it. */
  record Confused(String why) implements Event, Command {
  }

  @MessageType(" ")
  record Nameless(String why) implements Event {
  }

  /** Neither marked nor named: nothing says what type it is. */
  record Unmarked(String why) {
  }

  /** Named without a marker: a message, whose category the verb decides. */
  @MessageType("test.Named")
  record Named(String why) {
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    bus = CommBus.create(vertx);
  }

  @AfterEach
  void stop() {
    result(vertx.close());
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      Object value = future.await(Await.SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no outcome within " + Await.SECONDS + " s", e);
    } catch (AssertionError e) {
      throw e;
    } catch (Throwable failure) {
      return failure;
    }
  }

  @Test
  void nothingToSendIsAnIllegalArgument() {
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.publish(null)));
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.send(null)));
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.query((Message) null)));
  }

  @Test
  void aHandlerWithoutATypeIsAnIllegalArgument() {
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.registerHandler(" ",
        (Message m) -> Future.succeededFuture())));
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.registerStreamHandler("",
        (m, sink) -> sink.end())));
  }

  @Test
  void aClassThatCannotBeAMessageIsAnIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> bus.typeName(Confused.class));
    assertThrows(IllegalArgumentException.class, () -> bus.typeName(Nameless.class));
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.publish(new Confused("both"))));
    assertInstanceOf(IllegalArgumentException.class, failureOf(bus.send(new Nameless("blank"))));
  }

  @Test
  void writingToAStreamThatEndedIsAnIllegalState() {
    Promise<Throwable> lateWrite = Promise.promise();
    result(bus.registerStreamHandler(Ticks.class, (Ticks query, StreamSink<Tick> sink) -> sink.end()
        .onComplete(ended -> sink.write(new Tick(1, 1.0))
            .onComplete(ar -> lateWrite.complete(ar.cause())))));

    QueryStream<Tick> stream = result(bus.queryStream(new Ticks("ACME", 1)));
    Promise<Void> ended = Promise.promise();
    stream.endHandler(ended::complete).handler(tick -> {
    });

    result(ended.future());
    assertInstanceOf(IllegalStateException.class, result(lateWrite.future()));
  }

  @Test
  void wrongVerbsAndReservedHeadersStayInvalidMessages() {
    // What is wrong with the message itself keeps its code: a remote caller sees the same.
    assertEquals(ErrorCode.INVALID_MESSAGE,
        Await.failure(bus.send(Message.event("X", new JsonObject()))).code());
    assertEquals(ErrorCode.INVALID_MESSAGE,
        Await.failure(bus.publish(Message.event("X", new JsonObject()).withMetadata("cb-env", "forged"))).code());
  }

  @Test
  void aTimeoutBeyondTheBoundIsAnInvalidMessage() {
    Duration tooLong = CommBusOptions.MAX_TIMEOUT.plusMillis(1);
    String expected = "timeout: must be at most " + CommBusOptions.MAX_TIMEOUT.toMillis() + " ms, was "
        + tooLong.toMillis() + " ms";

    CommBusException query = Await.failure(bus.query(Message.query("X", new JsonObject()), tooLong));
    CommBusException stream = Await.failure(bus.queryStream(Message.query("X", new JsonObject()), tooLong));

    assertEquals(ErrorCode.INVALID_MESSAGE, query.code());
    assertEquals(expected, query.getMessage());
    assertEquals(ErrorCode.INVALID_MESSAGE, stream.code());
    assertEquals(expected, stream.getMessage());
    InvalidSettingException setting = assertThrows(InvalidSettingException.class,
        () -> new CommBusOptions().setQueryTimeout(tooLong));
    assertEquals("queryTimeout: must be at most 3600000 ms, was 3600001 ms", setting.getMessage());
    assertThrows(InvalidSettingException.class, () -> new CommBusOptions().setSendTimeout(Duration.ofDays(1)));
    assertThrows(InvalidSettingException.class, () -> new CommBusOptions().setStreamIdleTimeout(Duration.ofDays(1)));
  }

  @Test
  void valuesThatAreNoMessagesAreInvalidMessagesNamingTheirClass() {
    for (Object value : List.of("hello", 42, 1.5, true, Map.of("a", 1), List.of(1), new JsonObject().put("a", 1),
        new JsonArray(), Buffer.buffer("bytes"), new Unmarked("no type"), new int[] {1})) {
      CommBusException published = Await.failure(bus.publish(value));
      CommBusException sent = Await.failure(bus.send(value));

      assertEquals(ErrorCode.INVALID_MESSAGE, published.code(), value.getClass().getTypeName());
      assertTrue(published.getMessage().startsWith("cannot publish a " + value.getClass().getTypeName()
          + ": it is not a message; "), published.getMessage());
      assertTrue(published.getMessage().contains("@MessageType"), published.getMessage());
      assertEquals(ErrorCode.INVALID_MESSAGE, sent.code(), value.getClass().getTypeName());
      assertTrue(sent.getMessage().startsWith("cannot send a " + value.getClass().getTypeName()), sent.getMessage());
    }
    assertEquals(0L, result(bus.publish(new Named("named"))), "a named class is a message");
  }
}
