package io.commbus.process;

import io.commbus.bus.Message;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pools in fork mode: one template imports the entry module, each child is forked from it, and
 * the node supervises forked children as it does spawned ones.
 */
class ForkModeTest extends ProcessFixture {

  private PythonProcessConfig forked(Path imports) {
    PythonProcessConfig worker = new PythonProcessConfig("fork_workers", "where").addPythonPath(PYTHON)
        .setProcess(fastOptions().setStartMode(StartMode.FORK));
    worker.putEnvironment("IMPORTS_FILE", imports.toString());
    return worker;
  }

  private JsonObject where(String type) {
    return await(bus.query(Message.query(type, new JsonObject()))).json();
  }

  private static List<String> imports(Path file) throws Exception {
    return Files.readAllLines(file);
  }

  @Test
  void childrenAreForksOfOneTemplateThatImportedTheModuleOnce() throws Exception {
    Path imports = runtime.resolve("imports");
    ProcessVerticle pool = deploy(new PoolOptions("py.fork").setSize(2), forked(imports));

    Set<Long> pids = new HashSet<>();
    JsonArray children = await(pool.children());
    for (int i = 0; i < children.size(); i++) {
      pids.add(children.getJsonObject(i).getLong("pid"));
    }
    assertEquals(2, pids.size(), children.encode());
    for (int i = 0; i < 20; i++) {
      JsonObject answer = where("py.fork");
      assertTrue(pids.contains(answer.getLong("pid")), answer.encode());
      // Imported by the template, which forked the child: nothing of the import ran in the child.
      assertEquals(answer.getLong("ppid"), answer.getLong("importedBy"), answer.encode());
      assertNotEquals(answer.getLong("pid"), answer.getLong("importedBy"));
    }
    assertEquals(1, imports(imports).size(), "imported once: " + imports(imports));

    await(pool.resize(6));
    assertEquals(6, await(pool.children()).size());
    assertEquals(1, imports(imports).size(), "a resize forks, it does not import again");

    // Six forks asked for at once, each child known by the pid its own fork gave: asked in
    // parallel, requests spread over the children, and each answer's child runs as that pid.
    Map<String, Long> pidOf = new HashMap<>();
    JsonArray all = await(pool.children());
    for (int i = 0; i < all.size(); i++) {
      pidOf.put(all.getJsonObject(i).getString("id"), all.getJsonObject(i).getLong("pid"));
    }
    List<Future<Message>> spread = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      spread.add(bus.query(Message.query("py.fork", new JsonObject().put("hold", 0.05))));
    }
    Set<String> answered = new HashSet<>();
    for (Future<Message> answer : spread) {
      JsonObject where = await(answer).json();
      assertEquals(pidOf.get(where.getString("child")), where.getLong("pid"), where.encode() + " in " + pidOf);
      answered.add(where.getString("child"));
    }
    assertTrue(answered.size() > 1, "the requests spread: " + answered);
  }

  @Test
  void aForkedChildThatIsKilledIsRestartedFromTheSameTemplate() throws Exception {
    Path imports = runtime.resolve("imports");
    ProcessVerticle pool = deploy(new PoolOptions("py.forkkill"), forked(imports));
    JsonObject before = where("py.forkkill");
    Future<Message> restarted = next(ProcessEvents.CHILD_STARTED);

    ProcessHandle.of(before.getLong("pid")).orElseThrow().destroyForcibly();

    JsonObject started = await(restarted).json();
    assertNotEquals(before.getLong("pid"), started.getLong("pid"));
    JsonObject after = where("py.forkkill");
    assertEquals(started.getLong("pid"), after.getLong("pid"));
    assertEquals(before.getLong("importedBy"), after.getLong("importedBy"), "the same template forked it");
    assertEquals(1, imports(imports).size());
  }

  @Test
  void aTemplateThatDiesIsStartedAgainForTheNextChild() throws Exception {
    Path imports = runtime.resolve("imports");
    deploy(new PoolOptions("py.forkgone"), forked(imports));
    JsonObject first = where("py.forkgone");
    ProcessHandle.of(first.getLong("importedBy")).orElseThrow().destroyForcibly();
    // Its child serves on, on its own.
    assertEquals(first.getLong("pid"), where("py.forkgone").getLong("pid"));
    Future<Message> restarted = next(ProcessEvents.CHILD_STARTED);

    ProcessHandle.of(first.getLong("pid")).orElseThrow().destroyForcibly();

    await(restarted);
    JsonObject after = where("py.forkgone");
    assertNotEquals(first.getLong("importedBy"), after.getLong("importedBy"), "a new template forked it");
    assertEquals(2, imports(imports).size(), imports(imports).toString());
  }

  @Test
  void aForkedChildsOutputReachesTheNodeLogTaggedWithTheChild() {
    try (LogCapture log = LogCapture.of("io.commbus.process.child")) {
      deploy(new PoolOptions("py.forksay"), forked(runtime.resolve("imports")));
      await(bus.query(Message.query("py.forksay", new JsonObject().put("say", "hello from a fork"))));
      await(log.seen("hello from a fork"));
      assertTrue(log.records().stream().anyMatch(r -> r.getMessage().equals("[py.forksay#0 stdout] hello from a fork")),
          log.records().toString());
    }
  }

  @Test
  void anImportThatFailsInTheTemplateIsAStartFailureThatSaysSo() {
    PythonProcessConfig broken = forked(runtime.resolve("imports")).putEnvironment("FAIL_IMPORT", "1");
    Throwable cause = vertx.deployVerticle(ProcessVerticle.python(bus, new PoolOptions("py.forkfail"), broken))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();

    HandshakeException error = assertInstanceOf(HandshakeException.class, cause, () -> "got " + cause);
    assertEquals(ErrorCode.START_FAILED, error.code());
    assertEquals(HandshakeException.Reason.IMPORT, error.reason());
    assertTrue(error.getMessage().contains("the model file is missing"), error.getMessage());
    assertTrue(error.getMessage().contains("in fork mode the module is imported once"), error.getMessage());
    assertEquals("RuntimeError", error.remoteType());
  }

  @Test
  void forkModeIsForPythonWorkers() {
    ProcessOptions script = fastOptions().setStartMode(StartMode.FORK).setCommand(List.of("python3", "x.py"));
    Throwable cause = vertx.deployVerticle(new ProcessVerticle(bus, new PoolOptions("forkscript"), script))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();
    assertTrue(String.valueOf(cause.getMessage()).contains("startMode: fork starts Python workers"),
        String.valueOf(cause));
  }

  private Future<Message> next(String eventType) {
    Promise<Message> first = Promise.promise();
    bus.subscribe(eventType, first::tryComplete);
    return first.future();
  }
}
