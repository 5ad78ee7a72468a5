package io.commbus.process;

import io.commbus.bus.error.ErrorCode;
import io.commbus.process.HandshakeException.Reason;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandshakeTest extends ProcessFixture {

  private HandshakeException deployFails(ProcessVerticle verticle) {
    Throwable cause = vertx.deployVerticle(verticle).transform(ar -> Future.succeededFuture(ar.cause())).await();
    return assertInstanceOf(HandshakeException.class, cause, () -> "deployment should fail, got " + cause);
  }

  @Test
  void aWrongTokenIsRefused() {
    HandshakeException error = deployFails(new ProcessVerticle(bus, new PoolOptions("bad"), script("bad_token.py", o -> { })));

    assertEquals(Reason.BAD_TOKEN, error.reason());
    assertEquals(ErrorCode.PROTOCOL, error.code());
  }

  @Test
  void anotherProtocolVersionIsRefused() {
    HandshakeException error = deployFails(new ProcessVerticle(bus, new PoolOptions("old"),
        script("wrong_version.py", o -> { })));

    assertEquals(Reason.VERSION_MISMATCH, error.reason());
    assertTrue(error.getMessage().contains("99"), error.getMessage());
  }

  @Test
  void aModuleThatFailsToImportReportsThePythonTraceback() {
    PythonProcessConfig broken = new PythonProcessConfig("broken_module", "handle").addPythonPath(PYTHON)
        .setProcess(fastOptions());

    HandshakeException error = deployFails(ProcessVerticle.python(bus, new PoolOptions("broken"), broken));

    assertEquals(Reason.IMPORT, error.reason());
    assertEquals(ErrorCode.START_FAILED, error.code());
    assertEquals("broken_module.ConfigMissing", error.remoteType());
    assertTrue(error.remoteTrace().contains("trading.toml is missing"), error.remoteTrace());
    assertTrue(error.remoteTrace().contains("broken_module.py"), error.remoteTrace());
  }

  @Test
  void aModuleNotFoundNamesThePythonPathEntriesThatDoNotExist() {
    Path nowhere = runtime.resolve("no-such-dir");
    PythonProcessConfig lost = new PythonProcessConfig("pricing_engine", "handle").addPythonPath(PYTHON)
        .addPythonPath(nowhere).setProcess(fastOptions());

    HandshakeException error = deployFails(ProcessVerticle.python(bus, new PoolOptions("lost"), lost));

    assertEquals(ErrorCode.START_FAILED, error.code());
    assertEquals("ModuleNotFoundError", error.remoteType());
    assertTrue(error.getMessage().contains("No module named 'pricing_engine'"), error.getMessage());
    assertTrue(error.getMessage().contains("these pythonPath entries do not exist: " + nowhere), error.getMessage());
    assertFalse(error.getMessage().contains(PYTHON.toString()), "an entry that exists is not blamed: "
        + error.getMessage());
  }

  @Test
  void aMissingFunctionIsAnImportFailure() {
    HandshakeException error = deployFails(ProcessVerticle.python(bus, new PoolOptions("nofn"), worker("no_such_fn")));

    assertEquals(Reason.IMPORT, error.reason());
    assertEquals(ErrorCode.START_FAILED, error.code());
    assertTrue(error.getMessage().contains("no_such_fn"), error.getMessage());
  }

  @Test
  void aChildThatNeverConnectsTimesOut() {
    HandshakeException error = deployFails(new ProcessVerticle(bus, new PoolOptions("silent"),
        script("silent.py", o -> o.setHandshakeTimeout(Duration.ofMillis(700)))));

    assertEquals(Reason.TIMEOUT, error.reason());
    assertEquals(ErrorCode.TIMEOUT, error.code());
  }

  @Test
  void aChildThatReportsAFailedStartAndStaysAliveIsKilledWithItsGroupAtOnce(@TempDir Path scratch) throws Exception {
    Path pids = scratch.resolve("pids");
    // A handshake timeout far beyond the wait below: the child's own fail frame must end the start.
    ProcessVerticle verticle = new ProcessVerticle(bus, new PoolOptions("failing"), script("fail_and_linger.py",
        o -> o.setHandshakeTimeout(Duration.ofSeconds(60)).putEnvironment("PIDS_FILE", pids.toString())));

    Throwable cause = vertx.deployVerticle(verticle).transform(ar -> Future.succeededFuture(ar.cause()))
        .await(15, TimeUnit.SECONDS);

    HandshakeException error = assertInstanceOf(HandshakeException.class, cause, () -> "got " + cause);
    assertEquals(Reason.IMPORT, error.reason());
    assertTrue(error.getMessage().contains("cannot import the strategy"), error.getMessage());
    for (String pid : Files.readString(pids).trim().split(" ")) {
      Optional<ProcessHandle> left = ProcessHandle.of(Long.parseLong(pid));
      if (left.isPresent()) {
        left.get().onExit().get(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void poolsShareOneCopyOfTheSdkAndItsBytecode() throws Exception {
    ProcessVerticle first = deploy(new PoolOptions("sdk.a"), worker("echo"));
    ProcessVerticle second = deploy(new PoolOptions("sdk.b"), worker("echo"));

    String a = pythonPath(await(first.children()).getJsonObject(0).getLong("pid"));
    String b = pythonPath(await(second.children()).getJsonObject(0).getLong("pid"));
    String sdk = a.split(":")[0];
    assertEquals(sdk, b.split(":")[0], "both children import the same copy");
    assertTrue(Path.of(sdk).getFileName().toString().startsWith("commbus-sdk-"), sdk);
    try (Stream<Path> compiled = Files.list(Path.of(sdk, "commbus", "__pycache__"))) {
      assertTrue(compiled.anyMatch(p -> p.getFileName().toString().startsWith("child.")),
          "the bytecode is kept beside the shared sources, for the next child");
    }
  }

  private static String pythonPath(long pid) throws Exception {
    return Files.readString(Path.of("/proc/" + pid + "/environ")).lines().flatMap(l -> Stream.of(l.split("\0")))
        .filter(v -> v.startsWith("PYTHONPATH=")).findFirst().orElseThrow().substring("PYTHONPATH=".length());
  }

  @Test
  void aFailedDeploymentLeavesNoSocketFilesBehind() throws Exception {
    deployFails(new ProcessVerticle(bus, new PoolOptions("bad"), script("bad_token.py", o -> { })));

    try (Stream<Path> left = Files.list(runtime)) {
      assertEquals(List.of(), left.collect(Collectors.toList()));
    }
  }

  @Test
  void socketsLiveInAPrivateDirectoryAndTheChildGetsAMinimalEnvironment() throws Exception {
    // The interpreter itself, not a launcher script such as a pyenv shim that adds variables of its own.
    String python = new String(new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start()
        .getInputStream().readAllBytes()).trim();
    ProcessVerticle pool = deploy(new PoolOptions("env"), worker("echo").setPython(python)
        .putEnvironment("TRADING_MODE", "paper"));
    Path directory = pool.runtimeDirectory();

    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
    List<Path> sockets;
    try (Stream<Path> files = Files.list(directory)) {
      sockets = files.filter(p -> p.toString().endsWith(".sock")).collect(Collectors.toList());
    }
    assertEquals(1, sockets.size());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sockets.get(0))));

    long pid = await(pool.children()).getJsonObject(0).getLong("pid");
    String environ = Files.readString(Path.of("/proc/" + pid + "/environ")).replace('\0', '\n');
    List<String> names = environ.lines().map(l -> l.substring(0, l.indexOf('='))).sorted().collect(Collectors.toList());
    assertEquals(List.of("COMMBUS_CHILD_ID", "COMMBUS_SOCKET", "COMMBUS_TOKEN", "PATH", "PYTHONPATH",
        "PYTHONUNBUFFERED", "TRADING_MODE"), names);
  }

  @Test
  void reservedVariablesCannotBeConfigured() {
    PythonProcessConfig sneaky = worker("echo");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> sneaky.putEnvironment("COMMBUS_TOKEN", "x"));
    assertTrue(refused.getMessage().contains("COMMBUS_TOKEN"), refused.getMessage());
    // Past the setter, straight into the map: the start still refuses it.
    sneaky.getEnvironment().put("COMMBUS_TOKEN", "x");

    Throwable cause = vertx.deployVerticle(ProcessVerticle.python(bus, new PoolOptions("sneaky"), sneaky))
        .transform(ar -> Future.succeededFuture(ar.cause())).await();

    assertTrue(cause.getMessage().contains("COMMBUS_TOKEN"), cause.getMessage());
  }

  @Test
  void startupTimeIsReported() {
    ProcessVerticle pool = deploy(new PoolOptions("fast"), worker("echo"));

    JsonArray children = await(pool.children());

    long startup = children.getJsonObject(0).getLong("startupMillis");
    assertTrue(startup > 0 && startup < 10_000, "startup " + startup + " ms");
    assertFalse(children.getJsonObject(0).getString("kind").isEmpty());
  }
}
