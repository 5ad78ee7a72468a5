package io.commbus.node;

import io.commbus.node.admin.AdminServer;
import io.commbus.process.ProcessEvents;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool whose children keep failing is given up, then tried again at the configured slow
 * cadence, and recovers by itself once the cause is gone; the admin API shows each state. The
 * cause is real: the Python worker refuses to start while a marker file exists.
 */
@Timeout(120)
class PoolRecoveryTest {

  @TempDir
  Path dir;

  private Node node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  /** The pid a child's exit description names: {@code child x#0 (pid 4242) ...}. */
  private static long pidIn(String description) {
    Matcher pid = Pattern.compile("\\(pid (\\d+)\\)").matcher(description);
    assertTrue(pid.find(), description);
    return Long.parseLong(pid.group(1));
  }

  @Test
  void aGivenUpPoolIsRetriedSlowlyAndRecoversOnceItsCauseIsGone() throws IOException {
    Path marker = dir.resolve("refuse-start");
    JsonObject pool = TestConfigs.pool("recovering", "test.Recovering", "echo", 1).put("module", "marked_start")
        .put("env", new JsonObject().put("START_MARKER", marker.toString()))
        .put("initialRestartDelay", "20ms").put("maxRestartDelay", "40ms").put("stableAfter", "30s")
        .put("maxRestarts", 1).put("givenUpRetryInterval", "1s");
    node = await(Node.start(TestConfigs.parse(TestConfigs.node(dir).put("pools", new JsonArray().add(pool)), dir),
        AdminServer::new));
    AdminHttp http = new AdminHttp(node.adminUrl());
    Promise<Long> gaveUp = Promise.promise();
    Promise<Void> retryFailed = Promise.promise();
    Promise<Void> restarted = Promise.promise();
    AtomicBoolean causeGone = new AtomicBoolean();
    await(Future.all(
        // The run whose failure gave up: its own exit event may reach its handler after this one
        // (each subscription has its own context), and must not pass for the slow retry's.
        node.bus().subscribe(ProcessEvents.CHILD_GAVE_UP, m -> gaveUp.tryComplete(pidIn(m.json()
            .getString("description")))).ready(),
        node.bus().subscribe(ProcessEvents.CHILD_EXITED, m -> {
          if (gaveUp.future().isComplete() && m.json().getLong("pid") != gaveUp.future().result().longValue()) {
            retryFailed.tryComplete();
          }
        }).ready(),
        node.bus().subscribe(ProcessEvents.CHILD_STARTED, m -> {
          if (causeGone.get()) {
            restarted.tryComplete();
          }
        }).ready()));
    JsonObject first = child(http);
    assertEquals("RUNNING", first.getString("supervision"), first.encode());

    Files.createFile(marker);
    ProcessHandle.of(first.getLong("pid")).orElseThrow().destroyForcibly();

    // One restart fails on the marker; that failure is beyond maxRestarts (1): given up.
    await(gaveUp.future());
    JsonObject givenUp = child(http);
    assertEquals("GIVEN_UP", givenUp.getString("supervision"), givenUp.encode());
    assertTrue(givenUp.getBoolean("gaveUp"));
    JsonObject lastExit = givenUp.getJsonObject("lastExit");
    assertNotNull(lastExit.getString("cause"), givenUp.encode());
    assertTrue(lastExit.getString("startFailure").contains("start refused while"), givenUp.encode());
    assertNotNull(Instant.parse(givenUp.getString("nextRetryAt")));
    AdminHttp.Reply down = http.get("/health");
    assertEquals(503, down.status(), down.body());
    JsonObject poolHealth = down.json().getJsonObject("pools").getJsonObject("recovering");
    assertEquals("GIVEN_UP", poolHealth.getString("state"), down.body());
    assertTrue(poolHealth.getString("cause").contains("start refused"), down.body());
    assertNotNull(Instant.parse(poolHealth.getString("nextRetryAt")));
    assertTrue(down.json().getJsonArray("problems").encode().contains("gave up"), down.body());

    // Tried again at the slow cadence while the cause stays, and still given up.
    await(retryFailed.future());
    JsonObject retried = child(http);
    assertEquals("GIVEN_UP", retried.getString("supervision"), retried.encode());
    assertTrue(retried.getLong("restarts") > givenUp.getLong("restarts"), retried.encode());

    causeGone.set(true);
    Files.delete(marker);

    await(restarted.future());
    JsonObject recovered = child(http);
    assertEquals("READY", recovered.getString("state"), recovered.encode());
    assertEquals("RUNNING", recovered.getString("supervision"), recovered.encode());
    assertFalse(recovered.getBoolean("gaveUp"));
    assertFalse(recovered.containsKey("nextRetryAt"), recovered.encode());
    AdminHttp.Reply up = http.get("/health");
    assertEquals(200, up.status(), up.body());
    assertEquals("UP", up.json().getJsonObject("pools").getJsonObject("recovering").getString("state"));
    AdminHttp.Reply answer = http.post("/query", new JsonObject().put("type", "test.Recovering")
        .put("payload", new JsonObject().put("n", 1)).put("timeoutMs", 10_000));
    assertEquals(200, answer.status(), answer.body());
  }

  private static JsonObject child(AdminHttp http) {
    JsonObject pool = http.get("/processes").json().getJsonArray("pools").getJsonObject(0);
    return pool.getJsonArray("children").getJsonObject(0);
  }
}
