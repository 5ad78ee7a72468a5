package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.commbus.bus.journal.JournalEvent;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run in its own JVM by {@link JournalLockTest}: opens the journal in {@code args[0]} and says
 * {@code opened <position of one appended event>} or {@code refused <code> <message>}; once
 * opened, holds it until its standard input ends, then closes it and says {@code closed}.
 */
public final class JournalHolder {

  private JournalHolder() {
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Vertx vertx = Vertx.vertx();
    try {
      FileJournal journal;
      try {
        journal = FileJournal.open(vertx, new FileJournalOptions(Path.of(args[0]))).await();
      } catch (CommBusException e) {
        out.println("refused " + e.code() + " " + e.getMessage());
        return;
      }
      long position = journal.append(new JournalEvent("held-" + ProcessHandle.current().pid(), "Held",
          System.currentTimeMillis(), Map.of(), new JsonObject())).await().position();
      out.println("opened " + position);
      while (System.in.read() >= 0) {
        // held until the test closes our input
      }
      journal.close().await();
      out.println("closed");
    } finally {
      vertx.close().await();
    }
  }
}
