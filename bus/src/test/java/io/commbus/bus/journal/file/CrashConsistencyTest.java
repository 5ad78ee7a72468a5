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
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a publishing JVM with SIGKILL mid-stream, many times over one journal, each time after
 * a different number of acknowledgements (so at different points of its writes and rolls), and
 * checks that every event it was told was stored is there, intact and in order. Each round also
 * proves that a killed writer leaves no lock behind.
 */
class CrashConsistencyTest {

  private static final int ROUNDS = 20;
  private static final int MOST_ACKS_BEFORE_KILL = 300;

  @TempDir
  Path directory;

  @Test
  @Timeout(240)
  void everyAcknowledgedEventSurvivesSigkill() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<Long, String> acknowledged = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      int acks = 1 + random.nextInt(MOST_ACKS_BEFORE_KILL);
      try {
        acknowledged.putAll(runAndKill("round" + round, acks));
        checkJournal(acknowledged);
      } catch (AssertionError e) {
        throw new AssertionError("round " + round + " (killed after " + acks + " acknowledgements, seed " + seed
            + "): " + e.getMessage(), e);
      }
    }
  }

  /** Starts the publisher, reads its acknowledgements, kills it after {@code acksBeforeKill} of them. */
  private Map<Long, String> runAndKill(String prefix, int acksBeforeKill) throws IOException, InterruptedException {
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
          if (acks.size() == acksBeforeKill) {
            process.destroyForcibly();   // SIGKILL: no shutdown hook, no flush
            break;
          }
        }
      }
    } finally {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the publisher did not die");
    }
    assertEquals(acksBeforeKill, acks.size(), "the publisher stopped before acknowledging enough events");
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
