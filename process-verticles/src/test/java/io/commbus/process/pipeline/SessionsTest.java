package io.commbus.process.pipeline;

import io.commbus.bus.Message;
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
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions of real Python node processes joined by real channels (session_nodes.py). */
class SessionsTest extends ProcessFixture {

  private Context context;
  private Sessions sessions;
  private List<String> shmBefore;
  private final List<Message> events = new CopyOnWriteArrayList<>();
  private final List<Promise<Message>> sessionEnds = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startSessions() throws IOException {
    shmBefore = sharedMemory();
    context = vertx.getOrCreateContext();
    sessions = start(new SessionOptions());
    for (String type : List.of(SessionEvents.SESSION_CREATED, SessionEvents.NODE_READY, SessionEvents.NODE_EXITED,
        SessionEvents.SESSION_ENDED)) {
      await(bus.subscribe(type, events::add).ready());
    }
    await(bus.subscribe(SessionEvents.SESSION_ENDED, m -> sessionEnds.forEach(p -> p.tryComplete(m))).ready());
  }

  @AfterEach
  void closeSessions() {
    if (sessions != null) {
      await(sessions.close());
    }
  }

  private Sessions start(SessionOptions options) {
    options.setPython(new PythonProcessConfig().addPythonPath(PYTHON).setProcess(fastOptions()));
    return await(onLoop(() -> Sessions.start(vertx, bus, options)));
  }

  /** Runs {@code work} on the sessions' context, where their streams are used. */
  private <T> Future<T> onLoop(Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  private static PipelineSpec.Builder chain(String name) {
    return PipelineSpec.builder(name).initTimeout(Duration.ofSeconds(20));
  }

  static Buffer frame(int i) {
    Buffer frame = Buffer.buffer().appendInt(i);
    for (int k = 0; k < 636; k++) {
      frame.appendByte((byte) ((i * 7 + k) % 251));
    }
    return frame;
  }

  /** Reads an output to its end on the sessions' context; fails as the stream does. */
  private Future<List<ChannelItem>> readAll(Session session, String port) {
    return onLoop(() -> {
      Promise<List<ChannelItem>> done = Promise.promise();
      List<ChannelItem> items = new ArrayList<>();
      ReadStream<ChannelItem> output = session.output(port);
      output.exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(items)).handler(items::add);
      return done.future();
    });
  }

  private List<String> eventsOf(String type, String session) {
    return events.stream().filter(m -> m.type().equals(type) && session.equals(m.json().getString("session")))
        .map(m -> m.json().getString("node", "")).collect(Collectors.toList());
  }

  @Test
  void framesCrossEveryNodeIntactAndInOrderThenTheSessionCompletes() {
    PipelineSpec spec = chain("audio")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 500)))
        .node(PipelineNode.python("gate", "session_nodes:gate"))
        .node(PipelineNode.python("relay", "session_nodes:gate"))
        .connect("tone", "gate", 8).connect("gate", "relay", 8).build();
    Session session = await(sessions.create("s1", spec));
    assertEquals(Session.State.RUNNING, session.state());
    List<ChannelItem> items = await(readAll(session, "relay"));

    assertEquals(500, items.size());
    for (int i = 0; i < items.size(); i++) {
      assertEquals(frame(i), items.get(i).data(), "frame " + i);
      assertEquals(i, items.get(i).seq());
    }
    await(session.ended());
    assertEquals(Session.Outcome.COMPLETED, session.outcome());
    assertEquals(0, await(sessions.list()).size(), "an ended session is not listed");
    assertEquals(List.of("tone", "gate", "relay"), sortedLike(eventsOf(SessionEvents.NODE_READY, "s1"), spec));
    assertEquals(1, eventsOf(SessionEvents.SESSION_CREATED, "s1").size());
  }

  private static List<String> sortedLike(List<String> nodes, PipelineSpec spec) {
    List<String> order = spec.nodes().stream().map(PipelineNode::id).collect(Collectors.toList());
    return nodes.stream().sorted((a, b) -> order.indexOf(a) - order.indexOf(b)).collect(Collectors.toList());
  }

  @Test
  void aSlowReaderOfAnOutputGetsEveryItemAfterItsWriterFinished() {
    PipelineSpec spec = chain("slow")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 150)))
        .build();
    Session session = await(sessions.create("slow1", spec));
    List<ChannelItem> items = await(onLoop(() -> {
      Promise<List<ChannelItem>> done = Promise.promise();
      List<ChannelItem> seen = new ArrayList<>();
      ReadStream<ChannelItem> output = session.output("tone");
      output.pause();
      // One item every 2 ms: the writer is done long before the reader, which must still get all.
      long pacer = vertx.setPeriodic(2, t -> output.fetch(1));
      output.exceptionHandler(done::tryFail).endHandler(v -> {
        vertx.cancelTimer(pacer);
        done.tryComplete(seen);
      }).handler(seen::add);
      return done.future();
    }));
    await(session.ended());
    assertEquals(150, items.size());
    for (int i = 0; i < 150; i++) {
      assertEquals(frame(i), items.get(i).data());
    }
  }

  @Test
  void whatIsWrittenToAnInputComesOutOfTheOutputWithBackPressure() {
    PipelineSpec spec = chain("relay")
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("delay", 0.002)))
        .build();
    Session session = await(sessions.create("s2", spec));
    int total = 400;
    List<ChannelItem> received = new CopyOnWriteArrayList<>();
    int[] written = {0};
    int[] mostInFlight = {0};
    boolean[] heldBack = {false};
    Promise<Void> readDone = Promise.promise();
    await(onLoop(() -> {
      session.output("gate").exceptionHandler(readDone::tryFail).endHandler(v -> readDone.tryComplete())
          .handler(received::add);
      WriteStream<ChannelItem> input = session.input("gate");
      Promise<Void> writeDone = Promise.promise();
      new Object() {
        void writeMore() {
          while (written[0] < total && !input.writeQueueFull()) {
            input.write(ChannelItem.of(frame(written[0]++)));
            mostInFlight[0] = Math.max(mostInFlight[0], written[0] - received.size());
          }
          if (written[0] == total) {
            input.end().onComplete(writeDone);
          } else {
            heldBack[0] = true;
            input.drainHandler(v -> writeMore());
          }
        }
      }.writeMore();
      return writeDone.future();
    }));
    await(readDone.future());
    assertEquals(total, received.size());
    for (int i = 0; i < total; i++) {
      assertEquals(frame(i), received.get(i).data());
    }
    assertTrue(heldBack[0], "a slow node holds its writer back");
    int bound = 2 * PipelineSpec.DEFAULT_CAPACITY + 2;  // the input's channel, the output's, and the item in the node
    assertTrue(mostInFlight[0] <= bound, "at most " + bound + " items in flight, were " + mostInFlight[0]);
    await(session.ended());
  }

  @Test
  void aNodeThatFailsMidStreamEndsTheSessionNamingItAndTheOutputsWithIt() {
    PipelineSpec spec = chain("failing")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 1000)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("fail_at", 50)))
        .node(PipelineNode.python("relay", "session_nodes:gate"))
        .connect("tone", "gate", 4).connect("gate", "relay", 4).build();
    Promise<Message> endEvent = Promise.promise();
    sessionEnds.add(endEvent);
    Session session = await(sessions.create("s3", spec));
    CommBusException output = failure(readAll(session, "relay"));
    CommBusException ended = failure(session.ended());

    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("node gate failed") && ended.getMessage().contains("cannot gate frame 50"),
        ended.getMessage());
    assertEquals("ValueError", ended.remoteType());
    assertTrue(ended.remoteTrace().contains("session_nodes.py"), ended.remoteTrace());
    assertEquals(ended.getMessage(), output.getMessage(), "the output ends with the session's cause");
    assertEquals(Session.Outcome.FAILED, session.outcome());
    Message last = await(endEvent.future());
    assertEquals("gate", last.json().getString("node"));
    assertEquals("failed", last.json().getString("outcome"));
  }

  @Test
  void aNodeWhoseProcessDiesMidStreamEndsTheSessionWithItsExit() {
    PipelineSpec spec = chain("crashing")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 1000)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_at", 50)))
        .connect("tone", "gate", 4).build();
    Session session = await(sessions.create("s4", spec));
    failure(readAll(session, "gate"));
    CommBusException ended = failure(session.ended());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("node gate") && ended.getMessage().contains("status 7"), ended.getMessage());
  }

  @Test
  void underTheRestartPolicyADeadNodeIsStartedAgainAndTheStreamGoesOnCountingWhatWasLost() {
    List<Message> restarts = new CopyOnWriteArrayList<>();
    List<Message> losses = new CopyOnWriteArrayList<>();
    await(bus.subscribe(SessionEvents.NODE_RESTARTED, restarts::add).ready());
    await(bus.subscribe(SessionEvents.ITEMS_LOST, losses::add).ready());
    int total = 300;
    PipelineSpec spec = chain("restarting").failurePolicy(FailurePolicy.RESTART)
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", total).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_at", 50)))
        .node(PipelineNode.python("relay", "session_nodes:gate"))
        .connect("tone", "gate", 4).connect("gate", "relay", 4).build();
    Session session = await(sessions.create("r1", spec));
    List<ChannelItem> items = await(readAll(session, "relay"));
    await(session.ended());

    assertEquals(Session.Outcome.COMPLETED, session.outcome());
    List<Integer> numbers = new ArrayList<>();
    for (ChannelItem item : items) {
      int n = ((Buffer) item.data()).getInt(0);
      assertEquals(frame(n), item.data(), "frame " + n + " intact");
      numbers.add(n);
    }
    for (int i = 1; i < numbers.size(); i++) {
      assertTrue(numbers.get(i) > numbers.get(i - 1), "in order: " + numbers);
    }
    assertEquals(List.of(0, 49), List.of(numbers.get(0), numbers.get(49)), "all before the crash went through");
    assertFalse(numbers.contains(50), "the frame it died on is lost");
    assertEquals(total - 1, (int) numbers.get(numbers.size() - 1), "the stream went on to its end");
    assertEquals(1, restarts.size());
    assertEquals("gate", restarts.get(0).json().getString("node"));
    long lost = losses.stream().mapToLong(m -> m.json().getLong("lost")).sum();
    assertTrue(lost >= 1 && items.size() + lost >= total, "lost " + lost + ", received " + items.size());
    assertEquals("tone.out -> gate.in", losses.get(0).json().getString("channel"));
  }

  @Test
  void theSessionsOwnEndsResumeWithARestartedNode() {
    List<Message> losses = new CopyOnWriteArrayList<>();
    await(bus.subscribe(SessionEvents.ITEMS_LOST, losses::add).ready());
    PipelineSpec spec = chain("relay").failurePolicy(FailurePolicy.RESTART)
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_at", 50)))
        .build();
    Session session = await(sessions.create("r3", spec));
    int total = 300;
    Future<List<ChannelItem>> output = readAll(session, "gate");
    await(onLoop(() -> {
      WriteStream<ChannelItem> input = session.input("gate");
      Promise<Void> written = Promise.promise();
      new Object() {
        int next;

        void writeMore() {
          while (next < total && !input.writeQueueFull()) {
            input.write(ChannelItem.of(frame(next++)));
          }
          if (next == total) {
            input.end().onComplete(written);
          } else {
            input.drainHandler(v -> writeMore());
          }
        }
      }.writeMore();
      return written.future();
    }));
    List<ChannelItem> items = await(output);
    await(session.ended());
    List<Integer> numbers = items.stream().map(i -> ((Buffer) i.data()).getInt(0)).collect(Collectors.toList());
    assertEquals(50, numbers.indexOf(numbers.stream().filter(n -> n > 50).findFirst().orElseThrow()),
        "0 to 49, then what the restarted node was given: " + numbers);
    assertEquals(total - 1, (int) numbers.get(numbers.size() - 1));
    assertEquals("session -> gate.in", losses.get(0).json().getString("channel"));
    long lost = losses.get(0).json().getLong("lost");
    assertTrue(lost >= 1 && items.size() + lost >= total, "lost " + lost + ", received " + items.size());
  }

  @Test
  void forkedNodesRunAndRestartAsSpawnedOnesDo() {
    await(sessions.close());
    SessionOptions options = new SessionOptions();
    options.getPython().addPythonPath(PYTHON).getProcess().setRuntimeDirectory(runtime)
        .setShutdownGrace(Duration.ofSeconds(2));
    assertEquals(io.commbus.process.StartMode.FORK, options.getPython().getProcess().getStartMode(), "the default");
    sessions = await(onLoop(() -> Sessions.start(vertx, bus, options)));
    PipelineSpec spec = chain("forked").failurePolicy(FailurePolicy.RESTART)
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", 200).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_at", 50)))
        .connect("tone", "gate", 4).build();
    Session session = await(sessions.create("f1", spec));
    List<ChannelItem> items = await(readAll(session, "gate"));
    await(session.ended());
    assertEquals(Session.Outcome.COMPLETED, session.outcome());
    assertEquals(199, ((Buffer) items.get(items.size() - 1).data()).getInt(0), "it went on to the end after the restart");
    assertEquals(frame(49), items.get(49).data());
  }

  @Test
  void aNodeWhoseInputHadEndedIsNotRestartedToWaitForEverButEndsTheSessionSaying() {
    PipelineSpec spec = chain("ended").failurePolicy(FailurePolicy.RESTART)
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 5)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_at_end", "e1").put("writer", "tone")))
        .connect("tone", "gate").build();
    Session session = await(sessions.create("e1", spec));
    CommBusException ended = failure(session.ended());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("cannot be started again: its input tone.out -> gate.in had ended"),
        ended.getMessage());
  }

  @Test
  void aNodeThatKeepsDyingEndsTheSessionOnceItsRestartsAreSpent() {
    PipelineSpec spec = chain("dying").failurePolicy(FailurePolicy.RESTART).maxRestarts(2)
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
            .withConfig(new JsonObject().put("frames", 100000).put("interval", 0.001)))
        .node(PipelineNode.python("gate", "session_nodes:gate").withConfig(new JsonObject().put("crash_on_first", true)))
        .connect("tone", "gate", 4).build();
    Session session = await(sessions.create("r2", spec));
    failure(readAll(session, "gate"));
    CommBusException ended = failure(session.ended());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("node gate") && ended.getMessage().contains("after 2 restarts"),
        ended.getMessage());
  }

  @Test
  void aJavaNodeRunsInTheJvmBetweenPythonNodes() {
    PipelineSpec spec = chain("mixed")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 200)))
        .node(PipelineNode.java("numbers", FrameNumbers.class.getName()))
        .connect("tone", "numbers", 4).build();
    Session session = await(sessions.create("j1", spec));
    List<ChannelItem> items = await(readAll(session, "numbers"));
    await(session.ended());
    assertEquals(java.util.stream.IntStream.range(0, 200).boxed().toList(),
        items.stream().map(ChannelItem::data).toList());
  }

  @Test
  void aJavaNodeThatFailsEndsTheSessionNamingItAndAClassThatIsNotThereIsNodeCrashed() {
    PipelineSpec failing = chain("mixed")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 200)))
        .node(PipelineNode.java("numbers", FrameNumbers.class.getName()).withConfig(new JsonObject().put("failAt", 10)))
        .connect("tone", "numbers", 4).build();
    Session session = await(sessions.create("j2", failing));
    CommBusException ended = failure(session.ended());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, ended.code());
    assertTrue(ended.getMessage().contains("node numbers failed") && ended.getMessage().contains("cannot number frame 10"),
        ended.getMessage());
    assertEquals("java.lang.IllegalStateException", ended.remoteType());

    PipelineSpec missing = chain("missing")
        .node(PipelineNode.python("tone", "session_nodes:tone").withInputs().withConfig(new JsonObject().put("frames", 2)))
        .node(PipelineNode.java("numbers", "com.example.NoSuchNode"))
        .connect("tone", "numbers").build();
    CommBusException crashed = failure(sessions.create("j3", missing));
    assertEquals(ErrorCode.NODE_CRASHED, crashed.code());
    assertTrue(crashed.getMessage().contains("no class com.example.NoSuchNode"), crashed.getMessage());
  }

  @Test
  void aNodeThatIsNotReadyInTimeFailsTheCreateWithInitTimeoutAndLeavesNothing() throws IOException {
    PipelineSpec spec = PipelineSpec.builder("sleepy").initTimeout(Duration.ofMillis(800))
        .node(PipelineNode.python("tone", "sleepy_nodes:tone").withInputs())
        .node(PipelineNode.python("sink", "session_nodes:count").withOutputs().withConfig(new JsonObject().put("frames", 1)))
        .connect("tone", "sink").build();
    CommBusException e = failure(sessions.create("s5", spec));
    assertEquals(ErrorCode.INIT_TIMEOUT, e.code());
    assertTrue(e.getMessage().contains("node tone was not ready within 800 ms"), e.getMessage());
    assertNothingLeft();
  }

  @Test
  void aNodeThatCrashesWhileStartingFailsTheCreateWithNodeCrashed() throws IOException {
    PipelineSpec spec = chain("broken")
        .node(PipelineNode.python("tone", "crashing_nodes:tone").withInputs())
        .node(PipelineNode.python("sink", "session_nodes:count").withOutputs().withConfig(new JsonObject().put("frames", 1)))
        .connect("tone", "sink").build();
    CommBusException e = failure(sessions.create("s6", spec));
    assertEquals(ErrorCode.NODE_CRASHED, e.code());
    assertTrue(e.getMessage().contains("node tone") && e.getMessage().contains("no sound card"), e.getMessage());
    assertTrue(e.remoteTrace() != null && e.remoteTrace().contains("crashing_nodes.py"), String.valueOf(e.remoteTrace()));
    assertNothingLeft();
  }

  @Test
  void terminateStopsEveryProcessAndRemovesEveryChannel() throws IOException {
    PipelineSpec spec = chain("endless")
        .node(PipelineNode.python("tone", "session_nodes:forever").withInputs())
        .node(PipelineNode.python("gate", "session_nodes:gate"))
        .connect("tone", "gate").build();
    Session session = await(sessions.create("s7", spec));
    JsonArray listed = await(sessions.list());
    assertEquals(1, listed.size());
    List<Long> pids = listed.getJsonObject(0).getJsonArray("nodes").stream()
        .map(n -> ((JsonObject) n).getLong("pid")).collect(Collectors.toList());
    assertEquals(2, pids.size());
    Future<List<ChannelItem>> output = readAll(session, "gate");

    await(sessions.terminate("s7"));
    assertEquals(Session.Outcome.TERMINATED, session.outcome());
    assertEquals(ErrorCode.PIPELINE_TERMINATED, failure(output).code());
    await(session.ended());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "process " + pid + " is gone");
    }
    assertNothingLeft();
    assertEquals(ErrorCode.SESSION_NOT_FOUND, failure(sessions.terminate("s7")).code());
  }

  @Test
  void limitsRefuseASessionTooManyAndASpecTooBig() {
    await(sessions.close());
    sessions = start(new SessionOptions().setMaxSessions(1).setMaxProcessesPerSession(2));
    PipelineSpec endless = chain("endless")
        .node(PipelineNode.python("tone", "session_nodes:forever").withInputs()).build();
    await(sessions.create("one", endless));
    CommBusException tooMany = failure(sessions.create("two", endless));
    assertEquals(ErrorCode.RESOURCE_LIMIT, tooMany.code());
    assertTrue(tooMany.getMessage().contains("maxSessions 1"), tooMany.getMessage());
    await(sessions.terminate("one"));

    PipelineSpec three = chain("three")
        .node(PipelineNode.python("a", "session_nodes:forever").withInputs())
        .node(PipelineNode.python("b", "session_nodes:gate"))
        .node(PipelineNode.python("c", "session_nodes:gate"))
        .connect("a", "b").connect("b", "c").build();
    CommBusException tooBig = failure(sessions.create("three", three));
    assertEquals(ErrorCode.RESOURCE_LIMIT, tooBig.code());
    assertTrue(tooBig.getMessage().contains("3 Python nodes"), tooBig.getMessage());
    assertEquals(ErrorCode.INVALID_MESSAGE, failure(sessions.create("bad id", endless)).code());
  }

  @Test
  void sessionsCreatedAtOnceRunSideBySide() {
    List<String> completed = new CopyOnWriteArrayList<>();
    Promise<Void> allEnded = Promise.promise();
    await(bus.subscribe(SessionEvents.SESSION_ENDED, m -> {
      if ("completed".equals(m.json().getString("outcome")) && completed.add(m.json().getString("session"))
          && completed.size() == 4) {
        allEnded.complete();
      }
    }).ready());
    List<Future<Session>> created = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      PipelineSpec spec = chain("audio")
          .node(PipelineNode.python("tone", "session_nodes:tone").withInputs()
              .withConfig(new JsonObject().put("frames", 200)))
          .node(PipelineNode.python("sink", "session_nodes:count").withOutputs()
              .withConfig(new JsonObject().put("frames", 200)))
          .connect("tone", "sink", 4).build();
      created.add(sessions.create("c" + i, spec));
    }
    for (Future<Session> session : created) {
      await(await(session).ended());
      assertEquals(Session.Outcome.COMPLETED, await(session).outcome());
    }
    await(allEnded.future());
    assertEquals(List.of("c0", "c1", "c2", "c3"), completed.stream().sorted().collect(Collectors.toList()));
  }

  /** Shared-memory segments of ours a node could leave (another process's are not this test's to judge). */
  private static List<String> sharedMemory() throws IOException {
    Path shm = Path.of("/dev/shm");
    if (!Files.isDirectory(shm)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(shm)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.contains("commbus"))
          .sorted().collect(Collectors.toList());
    }
  }

  /**
   * No session's directory, socket, process or shared-memory segment is left: only the
   * sessions' own directory is in the runtime directory, and /dev/shm has what it had.
   */
  private void assertNothingLeft() throws IOException {
    assertEquals(shmBefore, sharedMemory(), "no shared-memory segment is left in /dev/shm");
    try (Stream<Path> entries = Files.list(runtime)) {
      List<Path> left = entries.collect(Collectors.toList());
      assertEquals(1, left.size(), "only the sessions' own directory is left: " + left);
      try (Stream<Path> inside = Files.walk(left.get(0))) {
        assertTrue(inside.noneMatch(p -> p.toString().endsWith(".sock")), "no socket is left");
      }
    }
  }
}
