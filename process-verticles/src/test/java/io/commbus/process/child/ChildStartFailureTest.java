package io.commbus.process.child;

import io.commbus.bus.CommBus;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FailReason;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run that cannot listen on its socket, or cannot spawn, fails its start at once, with why. */
@Timeout(30)
class ChildStartFailureTest {

  private static final Path SILENT = Path.of("src/test/resources/children/silent.py").toAbsolutePath();

  @TempDir
  Path directory;

  private Vertx vertx;
  private CommBus bus;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    bus = CommBus.create(vertx);
  }

  @AfterEach
  void stopVertx() throws Exception {
    vertx.close().await(20, TimeUnit.SECONDS);
  }

  private static ChildSpec spec(List<String> command) {
    // A handshake timeout far beyond the waits below: the start must fail by itself.
    return new ChildSpec(command, null, Map.of(), new JsonObject(), List.of(), Duration.ofSeconds(60),
        Protocol.DEFAULT_MAX_FRAME_SIZE, Protocol.DEFAULT_CREDIT, Duration.ofSeconds(5), Duration.ofSeconds(1),
        Duration.ofSeconds(1), UnaryOperator.identity(), Protocol.LogLevel.INFO, Launcher.SPAWN);
  }

  private HandshakeFailure startFails(ChildSpec spec, Path socket) throws Exception {
    Context context = vertx.getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> new ChildProcess(context, bus, spec, "t#0", socket, "token", (child, exit) -> { })
        .start().<Void>mapEmpty().onComplete(started));
    Throwable cause = started.future().transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
    return assertInstanceOf(HandshakeFailure.class, cause, () -> "the start should fail, got " + cause);
  }

  @Test
  void aSocketPathOverThePlatformLimitFailsTheStartNamingPathAndLimit() throws Exception {
    Path deep = Files.createDirectories(directory.resolve("d".repeat(100)));
    Path socket = deep.resolve("c0-1.sock");

    HandshakeFailure failure = startFails(spec(List.of("python3", SILENT.toString())), socket);

    assertEquals(FailReason.CHILD_EXITED, failure.reason());
    assertTrue(failure.getMessage().contains(socket.toString()), failure.getMessage());
    assertTrue(failure.getMessage().contains(String.valueOf(Protocol.MAX_SOCKET_PATH_BYTES)), failure.getMessage());
    assertFalse(Files.exists(socket));
  }

  @Test
  void aSocketThatCannotBeListenedOnFailsTheStart() throws Exception {
    Path socket = directory.resolve("missing").resolve("c0-1.sock");

    HandshakeFailure failure = startFails(spec(List.of("python3", SILENT.toString())), socket);

    assertTrue(failure.getMessage().contains("could not be started"), failure.getMessage());
  }

  @Test
  void aProgramThatCannotBeSpawnedFailsTheStart() throws Exception {
    HandshakeFailure failure = startFails(spec(List.of(directory.resolve("no-such-program").toString())),
        directory.resolve("c0-1.sock"));

    assertTrue(failure.getMessage().contains("no-such-program"), failure.getMessage());
    assertFalse(Files.exists(directory.resolve("c0-1.sock")));
  }
}
