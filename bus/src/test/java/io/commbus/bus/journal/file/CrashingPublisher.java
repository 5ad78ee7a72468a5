package io.commbus.bus.journal.file;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.Message;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Run in its own JVM by {@link CrashConsistencyTest}: publishes events through a journaled bus
 * with fsync=always and 64 KiB segments (so kills land in rolls too), 16 at a time, and prints {@code ack <position> <id>} for each acknowledged
 * one, until it is killed.
 */
public final class CrashingPublisher {

  private CrashingPublisher() {
  }

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args[0]);
    String prefix = args[1];
    Vertx vertx = Vertx.vertx();
    FileJournal journal = FileJournal.open(vertx, new FileJournalOptions(directory).setFsync(FsyncPolicy.ALWAYS)
        .setSegmentBytes(64 * 1024))
        .await();
    CommBus bus = CommBus.create(vertx, new CommBusOptions().setJournal(journal));
    PrintStream out = new PrintStream(System.out, true);
    out.println("ready");
    for (int i = 0; i < 16; i++) {
      publishFrom(bus, out, prefix, i);
    }
    new CountDownLatch(1).await();
  }

  private static void publishFrom(CommBus bus, PrintStream out, String prefix, int n) {
    String id = prefix + "-" + n;
    bus.publish(Message.event("Crash", new JsonObject().put("n", n).put("pad", "x".repeat(200))).withId(id))
        .onSuccess(position -> {
          synchronized (out) {
            out.println("ack " + position + " " + id);
          }
          publishFrom(bus, out, prefix, n + 16);
        })
        .onFailure(e -> {
          synchronized (out) {
            out.println("failed " + id + " " + e);
          }
        });
  }
}
