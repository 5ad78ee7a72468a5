package io.commbus.process.client;

import io.commbus.bus.CommBus;
import io.commbus.bus.config.InvalidSettingException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The endpoint's files and listeners; what clients do over it is tested from Python (python-sdk/tests/test_client.py). */
class ClientEndpointTest {

  @TempDir
  Path directory;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aConfiguredSocketIsOwnerOnlyInAPrivateDirectoryAndGoesWithTheEndpoint() throws Exception {
    Path socket = directory.resolve("run/bus.sock");
    ClientEndpoint endpoint = new ClientEndpoint(CommBus.create(vertx), new ClientEndpointOptions().setSocket(socket)
        .addGrant(ClientGrant.everything("app", "0123456789abcdef0123")));
    String id = vertx.deployVerticle(endpoint).await(30, TimeUnit.SECONDS);
    assertEquals(socket, endpoint.socketPath());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    assertEquals(null, endpoint.generatedTokenFile(), "a configured token needs no generated one");
    vertx.undeploy(id).await(30, TimeUnit.SECONDS);
    assertFalse(Files.exists(socket));
  }

  @Test
  void aStaleSocketLeftByADeadNodeIsReplaced() throws Exception {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    Path socket = directory.resolve("bus.sock");
    // A socket file nobody listens on any more, as a killed node leaves it.
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(socket));
    }
    assertTrue(Files.exists(socket));
    ClientEndpoint endpoint = new ClientEndpoint(CommBus.create(vertx), new ClientEndpointOptions().setSocket(socket));
    vertx.deployVerticle(endpoint).await(30, TimeUnit.SECONDS);
    assertEquals(directory.resolve("bus.sock.token"), endpoint.generatedTokenFile());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint.generatedTokenFile())));
  }

  @Test
  void aSocketAnotherProcessListensOnIsLeftAloneAndTheStartFails() throws Exception {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    Path socket = directory.resolve("bus.sock");
    try (ServerSocketChannel alive = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      alive.bind(UnixDomainSocketAddress.of(socket));
      ExecutionException refused = assertThrows(ExecutionException.class, () -> start(new ClientEndpointOptions()
          .setSocket(socket)));
      assertTrue(refused.getCause().getMessage().contains("another process listens on " + socket),
          refused.getCause().getMessage());
      assertTrue(Files.exists(socket), "the live socket is not removed");
    }
  }

  @Test
  void aSocketInADirectoryOthersMayEnterOrOverAFileIsRefused() throws Exception {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    ExecutionException shared = assertThrows(ExecutionException.class, () -> start(new ClientEndpointOptions()
        .setSocket(directory.resolve("bus.sock"))));
    assertTrue(shared.getCause().getMessage().contains("chmod 700"), shared.getCause().getMessage());
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    Path file = Files.writeString(directory.resolve("notes.txt"), "mine");
    ExecutionException notSocket = assertThrows(ExecutionException.class, () -> start(new ClientEndpointOptions()
        .setSocket(file)));
    assertTrue(notSocket.getCause().getMessage().contains("is not a socket"), notSocket.getCause().getMessage());
    assertEquals("mine", Files.readString(file));
  }

  private void start(ClientEndpointOptions options) throws Exception {
    vertx.deployVerticle(new ClientEndpoint(CommBus.create(vertx), options)).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void plainTcpBeyondLoopbackIsRefused() {
    ClientEndpoint endpoint = new ClientEndpoint(CommBus.create(vertx), new ClientEndpointOptions()
        .setRuntimeDirectory(directory).setTcp("0.0.0.0", 0));
    ExecutionException refused = assertThrows(ExecutionException.class,
        () -> vertx.deployVerticle(endpoint).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertTrue(refused.getCause().getMessage().contains("not offered over plain TCP beyond this machine"),
        refused.getCause().getMessage());
  }

  @Test
  void plainTcpOnLoopbackListens() throws Exception {
    ClientEndpoint endpoint = new ClientEndpoint(CommBus.create(vertx), new ClientEndpointOptions()
        .setRuntimeDirectory(directory).setTcp("127.0.0.1", 0));
    vertx.deployVerticle(endpoint).await(30, TimeUnit.SECONDS);
    assertTrue(endpoint.tcpPort() > 0);
  }

  @Test
  void aPingIntervalTooShortToTellABusyClientFromADeadOneIsRefused() {
    InvalidSettingException refused = assertThrows(InvalidSettingException.class,
        () -> new ClientEndpointOptions().setPingInterval(java.time.Duration.ofMillis(10)));
    assertTrue(refused.getMessage().contains("at least 100 ms"), refused.getMessage());
  }

  @Test
  void aSocketPathTooLongForTheKernelIsRefusedWhenSet() {
    InvalidSettingException refused = assertThrows(InvalidSettingException.class,
        () -> new ClientEndpointOptions().setSocket(Path.of("/tmp/" + "x".repeat(120) + "/bus.sock")));
    assertTrue(refused.getMessage().contains("107-byte limit"), refused.getMessage());
  }
}
