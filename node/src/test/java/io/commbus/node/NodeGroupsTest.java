package io.commbus.node;

import io.commbus.bus.Message;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.JournalConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups declared in a node's configuration: a Java handler class with the node's bus,
 * and a Python pool as a member, each taking every event of its types once, retried on failure,
 * with its checkpoint beside the journal.
 */
@Timeout(120)
class NodeGroupsTest {

  private static final int EVENTS = 20;

  @TempDir
  Path dir;

  private Node node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void aHandlerClassAndAPoolAreMembersOfTheGroupsTheConfigurationDeclares() throws Exception {
    JsonObject json = TestConfigs.node(dir)
        .put("pools", new JsonArray().add(TestConfigs.pool("notes", "test.Note", "note", 1)))
        .put("groups", new JsonArray()
            .add(new JsonObject().put("name", "audit").put("types", new JsonArray().add("test.Order"))
                .put("handler", AuditMember.class.getName()).put("initialBackoff", "10ms"))
            .add(new JsonObject().put("name", "archive").put("types", new JsonArray().add("test.Order"))
                .put("pool", "notes")));
    node = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
    Map<Integer, Long> audited = new ConcurrentHashMap<>();
    Map<Integer, Integer> noted = new ConcurrentHashMap<>();
    CountDownLatch allAudited = new CountDownLatch(EVENTS);
    CountDownLatch allNoted = new CountDownLatch(EVENTS);
    await(node.bus().subscribe("test.Audited", m -> {
      if (audited.put(m.json().getInteger("n"), m.json().getLong("position")) == null) {
        allAudited.countDown();
      }
    }).ready());
    await(node.bus().subscribe("test.Noted", m -> {
      if (noted.merge(m.json().getInteger("n"), 1, Integer::sum) == 1) {
        allNoted.countDown();
      }
    }).ready());

    long last = 0;
    for (int n = 1; n <= EVENTS; n++) {
      last = await(node.bus().publish(Message.event("test.Order", new JsonObject().put("n", n)
          .put("failOnce", n == 3))));
    }
    await(node.bus().publish(Message.event("test.Other", new JsonObject().put("n", 99))));

    assertTrue(allAudited.await(60, TimeUnit.SECONDS), "audited: " + audited.keySet());
    assertTrue(allNoted.await(60, TimeUnit.SECONDS), "noted by the pool: " + noted.keySet());
    assertEquals(EVENTS, audited.size(), "each event once, the failed one after its retry: " + audited);
    assertTrue(noted.values().stream().allMatch(times -> times == 1), "each event once: " + noted);
    assertTrue(!audited.containsKey(99) && !noted.containsKey(99), "only the group's types");
    awaitCheckpoint(node, "audit", last);
    awaitCheckpoint(node, "archive", last);
    assertTrue(Files.exists(dir.resolve("journal").resolve(JournalConfig.CHECKPOINT_DIRECTORY)
        .resolve("audit.checkpoint")), "the file journal's checkpoints sit in its directory");
  }

  @Test
  void nodesSharingAPostgresJournalButNoClusterRunOneDispatcherPerGroup() throws Exception {
    String suffix = java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String table = "node_groups_" + suffix;
    String group = "audit-" + suffix;
    Map<Integer, Integer> audited = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(EVENTS);
    List<Node> nodes = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        JsonObject json = TestConfigs.node(dir.resolve("n" + i))
            .put("journal", new JsonObject().put("type", "postgres").put("table", table))
            .put("groups", new JsonArray().add(new JsonObject().put("name", group)
                .put("types", new JsonArray().add("test.Order")).put("handler", AuditMember.class.getName())));
        Node started = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
        nodes.add(started);   // stopped below even if the next one does not start
        await(started.bus().subscribe("test.Audited", m -> {
          if (audited.merge(m.json().getInteger("n"), 1, Integer::sum) == 1) {
            all.countDown();
          }
        }).ready());
      }
      long last = 0;
      for (int n = 1; n <= EVENTS; n++) {
        last = await(nodes.get(0).bus().publish(Message.event("test.Order", new JsonObject().put("n", n))));
      }

      assertTrue(all.await(60, TimeUnit.SECONDS), "audited: " + audited.keySet());
      // Saved after the last event; a second dispatcher would have audited every event again by now.
      awaitCheckpoint(nodes.get(0), group, last);
      assertTrue(audited.values().stream().allMatch(times -> times == 1), "each event once: " + audited);
    } finally {
      for (Node started : nodes) {
        await(started.stop());
      }
      PostgresRuns.drop(table, group);
    }
  }

  /** A checkpoint is saved a little after the acknowledgement it records: wait for it in the node's store, boundedly. */
  private static void awaitCheckpoint(Node node, String group, long position) throws Exception {
    io.commbus.bus.journal.CheckpointStore checkpoints = node.config().getJournal().checkpoints(node.vertx());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = await(checkpoints.load(group));
      if (seen >= position) {
        return;
      }
      Thread.sleep(20);   // a checkpoint is a row, with nothing to wait on
    }
    throw new AssertionError("group " + group + "'s checkpoint is " + seen + ", not " + position);
  }

  @Test
  void groupsOnAClusteredNodeWithTheFileJournalAreRefused() {
    JsonObject json = TestConfigs.node(dir).put("cluster", new JsonObject().put("enabled", true))
        .put("groups", new JsonArray().add(new JsonObject().put("name", "audit").put("handler",
            AuditMember.class.getName())));
    ConfigException refused = assertThrows(ConfigException.class,
        () -> await(Node.start(TestConfigs.parse(json, dir), AdminServer::new)));
    assertTrue(refused.getMessage().startsWith("groups: consumer groups on a clustered node need the PostgreSQL"
        + " journal"), refused.getMessage());
  }

  @Test
  void aHandlerClassThatIsNoGroupHandlerStopsTheStartNamingTheEntry() {
    JsonObject json = TestConfigs.node(dir).put("groups", new JsonArray()
        .add(new JsonObject().put("name", "audit").put("handler", SpreadCallback.class.getName())));
    ConfigException refused = assertThrows(ConfigException.class,
        () -> await(Node.start(TestConfigs.parse(json, dir), AdminServer::new)));
    assertTrue(refused.getMessage().startsWith("groups[0].handler: " + SpreadCallback.class.getName()
        + " does not implement " + GroupHandler.class.getName()), refused.getMessage());
  }
}
