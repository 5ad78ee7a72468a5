package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** A Vert.x on the native transport, a bus, and real Python children from src/test/resources. */
@Timeout(90)
public abstract class ProcessFixture {

  /** Worker modules for the SDK's child runtime. */
  public static final Path PYTHON = Path.of("src/test/resources/python").toAbsolutePath();
  /** Standalone children that break the protocol on purpose. */
  public static final Path CHILDREN = Path.of("src/test/resources/children").toAbsolutePath();

  @TempDir
  protected Path runtime;

  protected Vertx vertx;
  protected CommBus bus;
  private final List<String> deployments = new ArrayList<>();

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    bus = CommBus.create(vertx);
  }

  @AfterEach
  void stopVertx() {
    for (String id : deployments) {
      await(vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    afterPoolsStopped();
    await(vertx.close());
  }

  /** Runs after the pools are undeployed and before Vert.x closes. */
  protected void afterPoolsStopped() {
  }

  /** Deploys a verticle and undeploys it when the test ends. */
  protected <V extends io.vertx.core.Deployable> V deployAndTrack(V verticle) {
    deployments.add(await(vertx.deployVerticle(verticle)));
    return verticle;
  }

  /** The id of the last verticle deployed through the fixture. */
  protected String lastDeployment() {
    return deployments.get(deployments.size() - 1);
  }

  /** Timings short enough for tests; production defaults otherwise. */
  protected ProcessOptions fastOptions() {
    return new ProcessOptions().setRuntimeDirectory(runtime).setInitialRestartDelay(Duration.ofMillis(20))
        .setShutdownGrace(Duration.ofSeconds(2)).setHangGrace(Duration.ofMillis(500));
  }

  protected PythonProcessConfig worker(String function) {
    return new PythonProcessConfig("workers", function).addPythonPath(PYTHON).setProcess(fastOptions());
  }

  protected ProcessVerticle deploy(String type, PythonProcessConfig worker) {
    return deploy(new PoolOptions(type), worker);
  }

  protected ProcessVerticle deploy(PoolOptions pool, PythonProcessConfig worker) {
    ProcessVerticle verticle = ProcessVerticle.python(bus, pool, worker);
    deployments.add(await(vertx.deployVerticle(verticle)));
    return verticle;
  }

  protected ProcessVerticle deploy(PoolOptions pool, ProcessOptions options) {
    ProcessVerticle verticle = new ProcessVerticle(bus, pool, options);
    deployments.add(await(vertx.deployVerticle(verticle)));
    return verticle;
  }

  /** Options for a standalone child script from {@link #CHILDREN}. */
  protected ProcessOptions script(String file, Consumer<ProcessOptions> tweak) {
    ProcessOptions options = fastOptions().setCommand(List.of("python3", CHILDREN.resolve(file).toString()))
        .setWorkingDirectory(CHILDREN);
    tweak.accept(options);
    return options;
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 60 s", e);
    }
  }

  protected static CommBusException failure(Future<?> future) {
    Throwable cause = future.transform(ar -> Future.succeededFuture(ar.cause())).await();
    return assertInstanceOf(CommBusException.class, cause, () -> "expected a failure, got " + cause);
  }
}
