package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer per journal directory, across processes: each holder here is its own JVM
 * ({@link JournalHolder}), because a lock that only one JVM's bookkeeping enforces would
 * protect nothing against a second node.
 */
@Timeout(120)
class JournalLockTest {

  @TempDir
  Path directory;

  private Vertx vertx;
  private final List<Holder> holders = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (Holder holder : holders) {
      holder.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** A JVM that opened the journal (or was refused) and said so in its first line. */
  private final class Holder {
    final Process process;
    final BufferedReader lines;
    final String said;

    Holder() throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), JournalHolder.class.getName(),
          directory.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      holders.add(this);
      lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      said = lines.readLine();
    }

    /** Closes the journal the clean way: ends the holder's input and waits for its word. */
    void release() throws Exception {
      process.getOutputStream().close();
      assertEquals("closed", lines.readLine());
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    }
  }

  private static void assertRefusedNaming(long pid, String said) {
    assertTrue(said != null && said.startsWith("refused STORAGE "), "want a STORAGE refusal, got: " + said);
    assertTrue(said.contains("pid " + pid + " on "), "the refusal names the holder: " + said);
    assertTrue(said.contains(JournalLock.FILE_NAME), said);
  }

  private FileJournal open() throws Exception {
    return FileJournal.open(vertx, new FileJournalOptions(directory)).await(30, TimeUnit.SECONDS);
  }

  @Test
  void aSecondProcessIsRefusedAtOnceNamingTheHolderAndNothingIsWrittenTwice() throws Exception {
    Holder first = new Holder();
    assertEquals("opened 1", first.said);

    Holder second = new Holder();
    assertRefusedNaming(first.process.pid(), second.said);
    assertTrue(second.process.waitFor(30, TimeUnit.SECONDS), "the refused process ends");
    CommBusException here = assertThrows(CommBusException.class, this::open, "and so is this JVM");
    assertEquals(ErrorCode.STORAGE, here.code());
    assertTrue(here.getMessage().contains("pid " + first.process.pid()), here.getMessage());

    first.release();
    Holder third = new Holder();
    assertEquals("opened 2", third.said, "once released, the next writer continues the positions");
    third.release();
    List<Long> positions = new ArrayList<>();
    new JournalInspector(directory).tail(1, java.util.Set.of(), 0, r -> positions.add(r.position()));
    assertEquals(List.of(1L, 2L), positions);
  }

  @Test
  void aKilledHolderLeavesNoLockBehind() throws Exception {
    Holder killed = new Holder();
    assertEquals("opened 1", killed.said);
    killed.process.destroyForcibly();   // SIGKILL: no close, no shutdown hook
    assertTrue(killed.process.waitFor(30, TimeUnit.SECONDS));
    assertTrue(Files.readString(directory.resolve(JournalLock.FILE_NAME)).contains("pid " + killed.process.pid()),
        "the stale words stay in the file and mean nothing");

    FileJournal journal = open();
    try {
      assertEquals(2L, journal.append(tick()).await(30, TimeUnit.SECONDS).position());
    } finally {
      journal.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void inspectingAndARefusedSecondOpenInTheHoldersJvmDoNotDropItsLock() throws Exception {
    FileJournal journal = open();
    try {
      journal.append(tick()).await(30, TimeUnit.SECONDS);
      assertEquals(1L, new JournalInspector(directory).stats().records(), "inspection needs no lock");
      assertTrue(new JournalInspector(directory).verify().clean());
      CommBusException again = assertThrows(CommBusException.class, this::open);
      assertEquals(ErrorCode.STORAGE, again.code());
      assertTrue(again.getMessage().contains("pid " + ProcessHandle.current().pid()), again.getMessage());

      Holder other = new Holder();
      assertRefusedNaming(ProcessHandle.current().pid(), other.said);
    } finally {
      journal.close().await(30, TimeUnit.SECONDS);
    }
    FileJournal reopened = open();
    assertEquals(2L, reopened.append(tick()).await(30, TimeUnit.SECONDS).position());
    reopened.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void theSameDirectoryByAnotherPathIsRefusedAndTheHolderKeepsItsLock(@TempDir Path elsewhere) throws Exception {
    // A bind mount: another path to the same files, which no path comparison can see through.
    Path other = Files.createDirectory(elsewhere.resolve("same-journal"));
    Process bind = new ProcessBuilder("mount", "--bind", directory.toString(), other.toString())
        .redirectErrorStream(true).start();
    String said = new String(bind.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(bind.waitFor(10, TimeUnit.SECONDS) && bind.exitValue() == 0,
        "this test bind-mounts a directory, which needs root (as in CI); mount said: " + said);
    try {
      FileJournal journal = open();
      try {
        CommBusException refused = assertThrows(CommBusException.class,
            () -> FileJournal.open(vertx, new FileJournalOptions(other)).await(30, TimeUnit.SECONDS));
        assertEquals(ErrorCode.STORAGE, refused.code());
        assertTrue(refused.getMessage().contains("this process, pid " + ProcessHandle.current().pid()),
            refused.getMessage());
        Holder third = new Holder();
        assertRefusedNaming(ProcessHandle.current().pid(), third.said);
      } finally {
        journal.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      // Lazily: the refused opener's channel stays open on purpose (closing it would drop the lock).
      new ProcessBuilder("umount", "--lazy", other.toString()).start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aJournalThatFailsToOpenReleasesItsLock() throws Exception {
    Path foreign = directory.resolve(String.format("%020d.seg", 1));
    Files.write(foreign, "definitely not a journal segment".getBytes(StandardCharsets.UTF_8));
    assertThrows(Exception.class, this::open);
    Files.delete(foreign);

    FileJournal journal = open();
    journal.close().await(30, TimeUnit.SECONDS);
  }

  private static JournalEvent tick() {
    return new JournalEvent(java.util.UUID.randomUUID().toString(), "Tick", 1, Map.of(), new JsonObject());
  }
}
