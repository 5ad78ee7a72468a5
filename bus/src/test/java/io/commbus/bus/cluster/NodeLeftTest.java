package io.commbus.bus.cluster;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.error.NodeLeftException;
import io.commbus.cluster.Cluster;
import io.commbus.cluster.ClusterSettings;
import io.commbus.cluster.ClusteredVertx;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Calls in flight to a member that dies. Member B runs in a JVM of its own ({@link SilentMember})
 * and takes calls it never answers; member A, in this JVM, calls it with a 30 s deadline; B is
 * killed with SIGKILL. A's calls that only B could answer fail with NODE_LEFT as soon as the
 * cluster takes B out (bounded by {@link #MAX_NO_HEARTBEAT}), a stream B produces likewise, and
 * a call to a type A handles too keeps its deadline. One kill serves all three: the calls are
 * made and B killed once, before the tests look at the outcomes.
 */
class NodeLeftTest {

  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  static final Duration MAX_NO_HEARTBEAT = Duration.ofSeconds(3);
  /** Far beyond the detection bound, so a call failed before it failed because B left. */
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  /** The deadline of the call a survivor may answer: past detection, short enough to wait for. */
  private static final Duration SHARED_DEADLINE = Duration.ofSeconds(10);

  private static final String ONLY_B = "nodeleft.only-b";
  private static final String SHARED = "nodeleft.shared";
  private static final String STREAM = "stream.nodeleft.only-b";

  private static Cluster memberA;
  private static CommBus busA;
  private static Process memberB;
  private static String memberBId;
  private static long killedAt;
  private static Future<Message> onlyB;
  private static final List<Future<Message>> shared = new ArrayList<>();
  private static final CompletableFuture<Throwable> streamFailure = new CompletableFuture<>();
  private static final CompletableFuture<Long> leftAt = new CompletableFuture<>();

  static ClusterSettings settings(String name, int port, List<String> members) {
    return new ClusterSettings().setClusterName(name).setPort(port).setMembers(members)
        .setHeartbeatInterval(HEARTBEAT).setMaxNoHeartbeat(MAX_NO_HEARTBEAT);
  }

  @BeforeAll
  static void callsInFlightWhenBDies() throws Exception {
    String name = "commbus-nodeleft-test-" + UUID.randomUUID();
    int portA = freePort();
    int portB = freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    memberA = ClusteredVertx.join(settings(name, portA, members), new VertxOptions()).await(60, TimeUnit.SECONDS);
    memberA.onMemberLeft(member -> leftAt.complete(System.nanoTime()));
    busA = CommBus.create(memberA.vertx(), new CommBusOptions().setMembership(memberA::onMemberLeft));
    AtomicInteger sharedOnA = new AtomicInteger();
    busA.registerHandler(SHARED, query -> {
      sharedOnA.incrementAndGet();
      return Promise.<Object>promise().future();
    }).await(30, TimeUnit.SECONDS);

    memberB = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), SilentMember.class.getName(),
        name, Integer.toString(portB), String.join(",", members), ONLY_B, SHARED, STREAM)
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(memberB.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ended) {
        // The member was killed.
      }
    }, "silent-member-output");
    reader.setDaemon(true);
    reader.start();
    memberBId = awaitLine(lines, "READY ").substring("READY ".length());

    onlyB = busA.query(Message.query(ONLY_B, new JsonObject()), DEADLINE);
    awaitLine(lines, "GOT " + ONLY_B);
    QueryStream<Message> stream = busA.queryStream(Message.query(STREAM, new JsonObject()), DEADLINE)
        .await(30, TimeUnit.SECONDS);
    stream.exceptionHandler(streamFailure::complete).endHandler(v -> streamFailure.complete(null))
        .handler(item -> streamFailure.completeExceptionally(new AssertionError("an item came: " + item)));
    awaitLine(lines, "GOT " + STREAM);
    // Calls go round the two members that handle the type; call until one is in flight on B.
    boolean onB = false;
    for (int i = 0; i < 8 && !onB; i++) {
      int before = sharedOnA.get();
      shared.add(busA.query(Message.query(SHARED, new JsonObject()), SHARED_DEADLINE));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!onB && sharedOnA.get() == before && System.nanoTime() < until) {
        onB = ("GOT " + SHARED).equals(lines.poll(50, TimeUnit.MILLISECONDS));
      }
    }
    assertTrue(onB, "no call of " + SHARED + " reached member B");

    killedAt = System.nanoTime();
    memberB.destroyForcibly();
    memberB.waitFor(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (memberB != null) {
      memberB.destroyForcibly();
      memberB.waitFor(30, TimeUnit.SECONDS);
    }
    if (memberA != null) {
      memberA.vertx().close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aQueryOnlyTheDeadMemberHandlesFailsAtOnceNamingIt() throws Exception {
    CommBusException error = failureOf(onlyB);
    long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

    assertInstanceOf(NodeLeftException.class, error);
    assertEquals(ErrorCode.NODE_LEFT, error.code());
    assertTrue(error.getMessage().contains(memberBId), error.getMessage());
    assertTrue(failedAfter < DEADLINE.toMillis() / 2, "failed " + failedAfter + " ms after the kill");
  }

  @Test
  void aStreamTheDeadMemberProducesFailsAtOnce() throws Exception {
    Throwable error = streamFailure.get(DEADLINE.toSeconds() / 2, TimeUnit.SECONDS);

    assertNotNull(error, "the stream ended instead of failing");
    NodeLeftException left = assertInstanceOf(NodeLeftException.class, error);
    assertTrue(left.getMessage().contains(memberBId), left.getMessage());
  }

  @Test
  void aQueryASurvivorAlsoHandlesKeepsItsDeadline() throws Exception {
    long left = leftAt.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    for (Future<Message> call : shared) {
      CommBusException error = failureOf(call);
      assertEquals(ErrorCode.TIMEOUT, error.code(), "a call a survivor may answer failed as " + error);
    }
    assertTrue(TimeUnit.NANOSECONDS.toMillis(left - killedAt) < SHARED_DEADLINE.toMillis(),
        "B left the cluster only after the shared calls' deadline, so they prove nothing");
  }

  @Test
  void aCallMadeAfterTheOnlyHandlerLeftFailsAtOnceWithNoHandler() throws Exception {
    // Once the departure has been judged (the call in flight failed), a new call is no call in flight.
    failureOf(onlyB);
    long asked = System.nanoTime();
    CommBusException error = failureOf(busA.query(Message.query(ONLY_B, new JsonObject()), DEADLINE));
    long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);

    assertEquals(ErrorCode.NO_HANDLER, error.code(), error.toString());
    assertTrue(failedAfter < DEADLINE.toMillis() / 2, "failed " + failedAfter + " ms after it was made");
  }

  @Test
  void aKilledMemberIsMissingSoTheSurvivorHasNoQuorum() throws Exception {
    leftAt.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    // The survivor's view follows Hazelcast's event threads, with nothing to wait on.
    while (memberA.health().missingMembers() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertEquals(1, memberA.health().missingMembers(), "B left no goodbye: " + memberA.health());
    assertFalse(memberA.hasQuorum(), "one of two is no majority: " + memberA.health());
  }

  private static CommBusException failureOf(Future<Message> call) throws Exception {
    try {
      Message reply = call.await(DEADLINE.toSeconds() + 10, TimeUnit.SECONDS);
      return fail("expected a failure, got " + reply);
    } catch (CommBusException e) {
      return e;
    }
  }

  private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError("member B did not print \"" + prefix + "\" within 60 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
