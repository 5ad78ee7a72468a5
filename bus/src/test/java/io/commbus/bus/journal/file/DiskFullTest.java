package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalHealth;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real full disk: a 128 KiB tmpfs. Appends fail with STORAGE once it is full, everything
 * acknowledged stays readable, and appends work again once there is room. Needs root to mount
 * the tmpfs (CI runs as root); without it the test fails and says so.
 */
@Timeout(60)
class DiskFullTest {

  @TempDir
  Path temp;

  private Path mountPoint;
  private Vertx vertx;

  @BeforeEach
  void mountATinyDisk() throws Exception {
    mountPoint = Files.createDirectory(temp.resolve("tiny-disk"));
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", mountPoint.toString())
        .redirectErrorStream(true).start();
    String output = new String(mount.getInputStream().readAllBytes());
    if (!mount.waitFor(10, TimeUnit.SECONDS) || mount.exitValue() != 0) {
      fail("this test fills a real disk: it mounts a 128 KiB tmpfs, which needs root (as in CI); mount said: "
          + output.trim());
    }
    vertx = Vertx.vertx();
  }

  @AfterEach
  void unmount() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    new ProcessBuilder("umount", mountPoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }

  private static JournalEvent kilobyte() {
    return new JournalEvent(UUID.randomUUID().toString(), "Filler", System.currentTimeMillis(), Map.of(),
        Buffer.buffer(new byte[1024]));
  }

  /** Tries one more append on the full disk, which must fail, and says how the journal is then. */
  private static JournalHealth failingAppend(FileJournal journal) throws Exception {
    try {
      await(journal.append(kilobyte()));
      fail("an append on the full disk was acknowledged");
    } catch (CommBusException e) {
      assertEquals(ErrorCode.STORAGE, e.code());
    }
    return journal.health();
  }

  @Test
  void aFullDiskFailsAppendsWithStorageAndLosesNothingAcknowledged() throws Exception {
    Path ballast = mountPoint.resolve("ballast");
    Files.write(ballast, new byte[32 * 1024]);
    FileJournalOptions options = new FileJournalOptions(mountPoint.resolve("journal")).setFsync(FsyncPolicy.ALWAYS);
    FileJournal journal = await(FileJournal.open(vertx, options));

    long acknowledged = 0;
    CommBusException full = null;
    for (int i = 0; i < 1000 && full == null; i++) {
      try {
        acknowledged = await(journal.append(kilobyte())).position();
      } catch (CommBusException e) {
        full = e;
      }
    }
    assertTrue(full != null, "the disk never filled up");
    assertEquals(ErrorCode.STORAGE, full.code());
    assertTrue(full.getMessage().contains("No space left"), full.getMessage());
    assertTrue(acknowledged > 10, "only " + acknowledged + " events fitted");
    List<JournalRecord> stored = await(journal.read(1, 10_000));
    assertEquals(acknowledged, stored.size(), "every acknowledged event is readable, nothing else");
    JournalHealth down = journal.health();
    assertEquals(JournalHealth.State.DOWN, down.state(), "reads work, but a journal that cannot store is down");
    assertTrue(down.cause().contains("No space left"), down.toString());
    assertEquals(JournalHealth.State.DOWN, failingAppend(journal).state(), "it stays down while appends fail");
    assertEquals(down.since(), journal.health().since(), "down since the first failure");
    assertEquals(JournalHealth.State.DOWN, await(journal.checkHealth()).state(), "a probe of the full disk fails");

    Files.delete(ballast);
    assertEquals(JournalHealth.State.UP, await(journal.checkHealth()).state(), "with room again, the probe is stored");
    assertFalse(Files.exists(options.getDirectory().resolve(StoreProbe.FILE_NAME)), "the probe leaves nothing behind");
    assertEquals(acknowledged + 1, await(journal.append(kilobyte())).position(), "positions stay dense");
    assertEquals(JournalHealth.State.UP, journal.health().state(), "one stored append brings it back up");
    await(journal.close());

    FileJournal reopened = await(FileJournal.open(vertx, options));
    assertTrue(reopened.recovery().clean(), reopened.recovery().toString());
    assertEquals(acknowledged + 1, (long) await(reopened.lastPosition()));
    await(reopened.close());
    VerifyReport verified = new JournalInspector(options.getDirectory()).verify();
    assertTrue(verified.clean(), "the failed write left no trace in the segment or its index: " + verified);
  }
}
