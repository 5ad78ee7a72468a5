package io.commbus.process;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.cluster.ClusterSettings;
import io.commbus.cluster.ClusteredVertx;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A Python child on node A calls a callback handler that lives only on node B, over a Hazelcast cluster on loopback. */
@Timeout(120)
class ClusteredCallbackTest {

  @TempDir
  Path runtime;

  private Vertx nodeA;
  private Vertx nodeB;

  @BeforeEach
  void startCluster() {
    ClusterSettings cluster = new ClusterSettings().setClusterName("commbus-process-test-" + UUID.randomUUID());
    VertxOptions nativeTransport = new VertxOptions().setPreferNativeTransport(true);
    nodeA = await(ClusteredVertx.start(cluster, nativeTransport));
    nodeB = await(ClusteredVertx.start(cluster, nativeTransport));
  }

  @AfterEach
  void stopCluster() {
    if (nodeA != null) {
      await(nodeA.close());
    }
    if (nodeB != null) {
      await(nodeB.close());
    }
  }

  @Test
  void aChildOnOneNodeCallsAHandlerOnAnotherAndIsReachableFromIt() {
    CommBus busA = CommBus.create(nodeA);
    CommBus busB = CommBus.create(nodeB);
    await(CallbackRegistry.register(busB, CallbackHandler.<JsonObject, JsonObject>of("test.Remote", JsonObject.class,
        (request, sink) -> {
          for (int i = 0; i < request.getInteger("n"); i++) {
            sink.write(new JsonObject().put("i", i).put("node", "B"));
          }
          sink.end();
        })).compose(r -> r.ready()));
    PythonProcessConfig worker = new PythonProcessConfig("workers", "callback_remote")
        .addPythonPath(ProcessFixture.PYTHON);
    worker.getProcess().setRuntimeDirectory(runtime).addCallback("test.Remote");
    // Two children become ready together while the clustered registration is under way.
    await(nodeA.deployVerticle(ProcessVerticle.python(busA, new PoolOptions("py.remote").setSize(2), worker)));

    // Asked from node B, served by the child on node A, which calls back to node B.
    JsonArray items = await(busB.query(Message.query("py.remote", new JsonObject().put("n", 4)))).json()
        .getJsonArray("items");

    assertEquals(4, items.size());
    for (int i = 0; i < 4; i++) {
      assertEquals(i, items.getJsonObject(i).getInteger("i"));
      assertEquals("B", items.getJsonObject(i).getString("node"));
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 60 s", e);
    }
  }
}
