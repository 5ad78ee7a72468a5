package io.commbus.process.pipeline;

import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.ProcessFixture;
import io.commbus.process.PythonProcessConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session whose nodes are placed on two hosts, "a" (where it is created) and "b": here two
 * {@link Sessions} of one bus, each with its own runtime directory, so everything between them
 * goes over the bus as it would between two machines (the multi-host harness runs it on real
 * hosts: MultiHostTest).
 */
class SessionsAcrossHostsTest extends ProcessFixture {

  private Context context;
  private Sessions a;
  private Sessions b;
  private Path runtimeB;

  @BeforeEach
  void startTwoHosts() throws IOException {
    context = vertx.getOrCreateContext();
    runtimeB = Files.createDirectories(runtime.resolve("b"));
    a = start("a", Files.createDirectories(runtime.resolve("a")));
    b = start("b", runtimeB);
  }

  @AfterEach
  void closeHosts() {
    await(a.close());
    await(b.close());
  }

  private Sessions start(String name, Path directory) {
    PythonProcessConfig python = new PythonProcessConfig().addPythonPath(PYTHON);
    python.getProcess().setRuntimeDirectory(directory).setShutdownGrace(Duration.ofSeconds(2));
    SessionOptions options = new SessionOptions().setNodeName(name).setPython(python);
    Sessions sessions = await(onLoop(() -> Sessions.start(vertx, bus, options)));
    await(sessions.registerHost());
    return sessions;
  }

  private <T> Future<T> onLoop(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  /** An output read on the bus, as another host or a client reads it. */
  private Future<List<ChannelItem>> readOnTheBus(String type) {
    Promise<List<ChannelItem>> done = Promise.promise();
    List<ChannelItem> items = new ArrayList<>();
    bus.queryStream(Message.query(type, null)).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      QueryStream<Message> stream = ar.result();
      stream.exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(items)).handler(m -> {
        try {
          items.add(ChannelFrames.item(ChannelFrames.decode(m.buffer())));
        } catch (Exception e) {
          done.tryFail(e);
        }
      });
    });
    return done.future();
  }

  private static PipelineSpec threeHops(FailurePolicy policy, JsonObject gateConfig) {
    return PipelineSpec.builder("spread").failurePolicy(policy).initTimeout(Duration.ofSeconds(20))
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withPlacement("b")
            .withConfig(new JsonObject().put("frames", 300).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(gateConfig))
        .node(PipelineNode.python("relay", "session_nodes:gate").withPlacement("b"))
        .connect("tone", "gate", 8).connect("gate", "relay", 8).build();
  }

  @Test
  void framesCrossToTheOtherHostAndBackIntactAndInOrder() {
    Session session = await(a.create("x1", threeHops(FailurePolicy.TERMINATE, new JsonObject())));
    JsonArray nodes = await(onLoop(() -> Future.succeededFuture(session.status()))).getJsonArray("nodes");
    assertEquals(List.of("b", "a", "b"), nodes.stream().map(n -> ((JsonObject) n).getString("host", "a")).toList());
    assertTrue(nodes.stream().allMatch(n -> ((JsonObject) n).getLong("pid") > 0), nodes.encode());

    List<ChannelItem> items = await(readOnTheBus("commbus.session.x1.out.relay.out"));
    await(session.ended());

    assertEquals(300, items.size());
    for (int i = 0; i < 300; i++) {
      assertEquals(SessionsTest.frame(i), items.get(i).data(), "frame " + i);
    }
    assertEquals(Session.Outcome.COMPLETED, session.outcome());
    assertNothingLeftOn(runtimeB);
  }

  @Test
  void aNodeThatDiesOnTheOtherHostEndsTheSessionNamingIt() {
    PipelineSpec spec = PipelineSpec.builder("spread").initTimeout(Duration.ofSeconds(20))
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", 1000).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withPlacement("b")
            .withConfig(new JsonObject().put("crash_at", 50)))
        .connect("tone", "gate", 4).build();
    Session session = await(a.create("x2", spec));
    CommBusException ended = failure(session.ended());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("node gate") && ended.getMessage().contains("status 7"), ended.getMessage());
    assertNothingLeftOn(runtimeB);
  }

  @Test
  void underTheRestartPolicyANodeOnTheOtherHostIsStartedAgainThere() {
    Session session = await(a.create("x3", PipelineSpec.builder("spread").failurePolicy(FailurePolicy.RESTART)
        .initTimeout(Duration.ofSeconds(20))
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", 300).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withPlacement("b")
            .withConfig(new JsonObject().put("crash_at", 50)))
        .node(PipelineNode.python("relay", "session_nodes:gate"))
        .connect("tone", "gate", 4).connect("gate", "relay", 4).build()));
    List<ChannelItem> items = await(onLoop(() -> {
      Promise<List<ChannelItem>> done = Promise.promise();
      List<ChannelItem> seen = new ArrayList<>();
      session.output("relay").exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(seen)).handler(seen::add);
      return done.future();
    }));
    await(session.ended());
    List<Integer> numbers = items.stream().map(i -> ((Buffer) i.data()).getInt(0)).collect(Collectors.toList());
    assertEquals(299, (int) numbers.get(numbers.size() - 1), "it went on to the end: " + numbers);
    assertFalse(numbers.contains(50), "the frame it died on is lost");
    for (int i = 1; i < numbers.size(); i++) {
      assertTrue(numbers.get(i) > numbers.get(i - 1), "in order: " + numbers);
    }
  }

  @Test
  void aJavaNodeRunsOnTheHostItIsPlacedOn() {
    Session session = await(a.create("x5", PipelineSpec.builder("mixed").initTimeout(Duration.ofSeconds(20))
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", 100)))
        .node(PipelineNode.java("numbers", FrameNumbers.class.getName()).withPlacement("b"))
        .connect("tone", "numbers", 4).build()));
    List<ChannelItem> items = await(readOnTheBus("commbus.session.x5.out.numbers.out"));
    await(session.ended());
    assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(),
        items.stream().map(ChannelItem::data).toList());
  }

  @Test
  void theOwnersStreamsReachTheOpenPortsOfANodeOnTheOtherHost() {
    Session session = await(a.create("x6", PipelineSpec.builder("relay").initTimeout(Duration.ofSeconds(20))
        .node(PipelineNode.python("gate", "session_nodes:gate").withPlacement("b")
            .withConfig(new JsonObject().put("delay", 0.001))).build()));
    int total = 300;
    List<ChannelItem> items = await(onLoop(() -> {
      Promise<List<ChannelItem>> read = Promise.promise();
      List<ChannelItem> seen = new ArrayList<>();
      session.output("gate").exceptionHandler(read::tryFail).endHandler(v -> read.tryComplete(seen)).handler(seen::add);
      io.vertx.core.streams.WriteStream<ChannelItem> input = session.input("gate");
      new Object() {
        int next;

        void writeMore() {
          while (next < total && !input.writeQueueFull()) {
            input.write(ChannelItem.of(SessionsTest.frame(next++)));
          }
          if (next == total) {
            input.end();
          } else {
            input.drainHandler(v -> writeMore());
          }
        }
      }.writeMore();
      return read.future();
    }));
    await(session.ended());
    assertEquals(total, items.size());
    for (int i = 0; i < total; i++) {
      assertEquals(SessionsTest.frame(i), items.get(i).data(), "frame " + i);
    }
  }

  @Test
  void aPlacementOnAHostThatRunsNoSessionsFailsTheCreateSayingSo() {
    PipelineSpec spec = PipelineSpec.builder("lost")
        .node(PipelineNode.python("tone", "session_nodes:forever").withInputs().withPlacement("nowhere")).build();
    CommBusException e = failure(a.create("x4", spec));
    assertEquals(ErrorCode.NODE_CRASHED, e.code());
    assertTrue(e.getMessage().contains("no node named nowhere runs pipeline sessions"), e.getMessage());
  }

  /** Host b keeps no session directory, socket or process of a session that ended. */
  private static void assertNothingLeftOn(Path runtime) {
    try (Stream<Path> entries = Files.list(runtime)) {
      List<Path> left = entries.collect(Collectors.toList());
      assertEquals(1, left.size(), "only the sessions' own directory: " + left);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
