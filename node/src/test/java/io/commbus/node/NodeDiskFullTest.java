package io.commbus.node;

import io.commbus.node.admin.AdminServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node whose file journal sits on a real full disk (a 256 KiB tmpfs): {@code /health} says the
 * journal is DOWN, with the cause, while publishes fail, and UP again once the disk has room. Needs
 * root to mount the tmpfs (CI runs as root); without it the test fails and says so.
 */
@Timeout(90)
class NodeDiskFullTest {

  @TempDir
  Path dir;

  private Path disk;
  private Node node;

  @BeforeEach
  void mountATinyDisk() throws Exception {
    disk = Files.createDirectory(dir.resolve("tiny-disk"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString())
        .redirectErrorStream(true).start();
    String output = new String(mount.getInputStream().readAllBytes());
    if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0) {
      fail("this test fills a real disk: it mounts a 256 KiB tmpfs, which needs root (as in CI); mount said: "
          + output.trim());
    }
  }

  @AfterEach
  void unmount() throws Exception {
    if (node != null) {
      await(node.stop());
    }
    new ProcessBuilder("umount", disk.toString()).start().waitFor(10, TimeUnit.SECONDS);
  }

  @Test
  void healthReportsTheJournalDownWhileAppendsFailAndUpOnceThereIsRoom() throws Exception {
    JsonObject json = TestConfigs.node(dir);
    json.getJsonObject("journal").put("directory", disk.resolve("journal").toString()).put("fsync", "always");
    node = await(Node.start(TestConfigs.parse(json, dir), AdminServer::new));
    AdminHttp http = new AdminHttp(node.adminUrl());
    assertEquals(200, http.get("/health").status());
    Path ballast = disk.resolve("ballast");
    Files.write(ballast, new byte[64 * 1024]);

    AdminHttp.Reply failed = null;
    for (int i = 0; i < 1000 && failed == null; i++) {
      AdminHttp.Reply reply = http.post("/publish", new JsonObject().put("type", "test.Filler")
          .put("payload", new JsonObject().put("pad", "x".repeat(1024))));
      if (reply.status() != 200) {
        failed = reply;
      }
    }
    assertTrue(failed != null, "the disk never filled up");
    assertEquals("STORAGE", failed.json().getJsonObject("error").getString("code"), failed.body());

    AdminHttp.Reply down = http.get("/health");
    assertEquals(503, down.status(), down.body());
    JsonObject journal = down.json().getJsonObject("journal");
    assertEquals("DOWN", journal.getString("state"), down.body());
    assertTrue(journal.getString("error").contains("No space left"), down.body());
    assertTrue(journal.containsKey("since") && journal.containsKey("head"), down.body());
    assertTrue(down.json().getJsonArray("problems").encode().contains("journal: appends fail"), down.body());

    assertEquals(503, http.get("/health").status(), "while the disk is full, trying it again changes nothing");

    Files.delete(ballast);
    // Nothing is published: a node out of traffic must come back by itself once there is room.
    AdminHttp.Reply up = http.get("/health");
    assertEquals(200, up.status(), up.body());
    assertEquals("UP", up.json().getJsonObject("journal").getString("state"));
    AdminHttp.Reply stored = http.post("/publish", new JsonObject().put("type", "test.Filler")
        .put("payload", new JsonObject()));
    assertEquals(200, stored.status(), stored.body());
  }
}
