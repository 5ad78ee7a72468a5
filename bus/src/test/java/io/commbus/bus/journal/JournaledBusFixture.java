package io.commbus.bus.journal;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.journal.file.FileJournal;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A bus on a fresh file journal in {@code directory/journal}, for tests of what a journal
 * adds. Shared with other modules through this module's test-jar.
 */
@Timeout(60)
public abstract class JournaledBusFixture {

  @TempDir
  protected Path directory;

  protected Vertx vertx;
  protected FileJournal journal;
  protected CommBus bus;

  /** The options the fixture's journal is opened with; reopen with the same ones. */
  protected FileJournalOptions journalOptions() {
    return new FileJournalOptions(directory.resolve("journal"));
  }

  @BeforeEach
  void startJournaledBus() {
    vertx = Vertx.vertx();
    journal = await(FileJournal.open(vertx, journalOptions()));
    bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
  }

  /** Runs after a subclass's own clean-up: the journal before Vert.x. */
  @AfterEach
  void stopJournaledBus() {
    await(journal.close());
    await(vertx.close());
  }

  protected static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 30 s", e);
    }
  }
}
