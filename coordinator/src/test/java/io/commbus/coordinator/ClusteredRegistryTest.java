package io.commbus.coordinator;

import io.commbus.adapter.postgres.PostgresJournal;
import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.cluster.ClusterSettings;
import io.commbus.cluster.ClusteredVertx;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two nodes clustered with Hazelcast (TCP-IP on 127.0.0.1, multicast off) sharing one
 * PostgreSQL journal: their registries converge, and a missed heartbeat noticed by both is
 * journaled once.
 */
@Timeout(120)
class ClusteredRegistryTest {

  private final String table = "commbus_registry_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  private Vertx nodeA;
  private Vertx nodeB;
  private PostgresJournal journalA;
  private PostgresJournal journalB;
  private ServiceRegistry registryA;
  private ServiceRegistry registryB;

  private static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  @BeforeEach
  void startTwoNodes() {
    ClusterSettings cluster = new ClusterSettings().setClusterName("commbus-registry-test-" + UUID.randomUUID());
    nodeA = await(ClusteredVertx.start(cluster));
    nodeB = await(ClusteredVertx.start(cluster));
    PostgresJournalOptions options = new PostgresJournalOptions().setTable(table);
    try {
      journalA = await(PostgresJournal.open(nodeA, options));
    } catch (RuntimeException e) {
      fail("this test needs PostgreSQL at 127.0.0.1:5432 (user postgres, database test): " + e
          + ". Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
    }
    journalB = await(PostgresJournal.open(nodeB, options));
    RegistryOptions health = new RegistryOptions().setHeartbeatTtl(Duration.ofMillis(500))
        .setCheckInterval(Duration.ofMillis(50));
    registryA = await(ServiceRegistry.start(nodeA, CommBus.create(nodeA, new CommBusOptions().setJournal(journalA)),
        health));
    registryB = await(ServiceRegistry.start(nodeB, CommBus.create(nodeB, new CommBusOptions().setJournal(journalB)),
        health));
  }

  @AfterEach
  void stopTwoNodes() {
    await(registryA.stop());
    await(registryB.stop());
    await(journalB.close());
    await(journalA.close());
    PgConnection conn = await(PgConnection.connect(nodeA, new PostgresJournalOptions().getConnect()));
    try {
      await(conn.query("DROP TABLE IF EXISTS " + table + ", " + table + "_head").execute());
    } finally {
      await(conn.close());
    }
    await(nodeB.close());
    await(nodeA.close());
  }

  @Test
  void bothNodesSeeTheSameServicesAndOneMissedHeartbeatIsJournaledOnce() {
    Promise<Void> bSeesIt = Promise.promise();
    Promise<Void> bothSeeItDown = Promise.promise();
    registryB.onChange(name -> {
      if (registryB.getService("svc").isPresent()) {
        bSeesIt.tryComplete();
      }
      if (registryB.getService("svc").map(s -> !s.healthy()).orElse(false)
          && registryA.getService("svc").map(s -> !s.healthy()).orElse(false)) {
        bothSeeItDown.tryComplete();
      }
    });
    registryA.onChange(name -> {
      if (registryB.getService("svc").map(s -> !s.healthy()).orElse(false)
          && registryA.getService("svc").map(s -> !s.healthy()).orElse(false)) {
        bothSeeItDown.tryComplete();
      }
    });

    assertEquals(true, await(registryA.registerService(ServiceDescriptor.of("svc", "worker").withVersion("3.0.0"))));
    await(bSeesIt.future());
    assertEquals("3.0.0", registryB.getService("svc").orElseThrow().version());
    assertFalse(await(registryB.registerService(ServiceDescriptor.of("svc", "other"))), "the name is taken, cluster-wide");

    await(bothSeeItDown.future());   // nobody heartbeats within 500 ms; both nodes check

    long downs = await(journalA.read(1, 100, Set.of(ServiceRegistry.HEALTH_CHANGED))).stream()
        .filter(r -> !((JsonObject) r.event().body()).getBoolean("healthy")).count();
    assertEquals(1, downs, "both nodes noticed; the journal holds the transition once");
  }
}
