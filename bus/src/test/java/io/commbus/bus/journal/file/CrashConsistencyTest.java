package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a publishing JVM with SIGKILL mid-stream, several times over one journal, and checks
 * that every event it was told was stored is there, intact and in order.
 */
class CrashConsistencyTest {

  private static final int ROUNDS = 3;
  private static final int ACKS_BEFORE_KILL = 300;

  @TempDir
  Path directory;

  @Test
  @Timeout(120)
  void everyAcknowledgedEventSurvivesSigkill() throws Exception {
    Map<Long, String> acknowledged = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      acknowledged.putAll(runAndKill("round" + round));
      checkJournal(acknowledged);
    }
  }

  /** Starts the publisher, reads its acknowledgements, kills it after enough of them. */
  private Map<Long, String> runAndKill(String prefix) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        CrashingPublisher.class.getName(), directory.toString(), prefix)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    Map<Long, String> acks = new LinkedHashMap<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.startsWith("failed")) {
          throw new AssertionError("the publisher reported: " + line);
        }
        if (line.startsWith("ack ")) {
          String[] parts = line.split(" ");
          acks.put(Long.parseLong(parts[1]), parts[2]);
          if (acks.size() == ACKS_BEFORE_KILL) {
            process.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
            break;
          }
        }
      }
    } finally {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the publisher did not die");
    }
    assertEquals(ACKS_BEFORE_KILL, acks.size(), "the publisher stopped before acknowledging enough events");
    return acks;
  }

  private void checkJournal(Map<Long, String> acknowledged) {
    Vertx vertx = Vertx.vertx();
    try {
      FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(directory)).await(30, TimeUnit.SECONDS);
      List<JournalRecord> records = journal.read(1, Integer.MAX_VALUE).await(30, TimeUnit.SECONDS);
      for (int i = 0; i < records.size(); i++) {
        assertEquals(i + 1, records.get(i).position(), "positions are dense from 1");
      }
      for (Map.Entry<Long, String> ack : acknowledged.entrySet()) {
        assertTrue(ack.getKey() <= records.size(), "acknowledged position " + ack.getKey() + " is missing; journal ends at "
            + records.size() + " (" + journal.recovery() + ")");
        JournalRecord record = records.get((int) (ack.getKey() - 1));
        assertEquals(ack.getValue(), record.event().id(), "position " + ack.getKey() + " holds another event");
        assertEquals("Crash", record.event().type());
      }
      journal.close().await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    } finally {
      vertx.close();
    }
  }
}
