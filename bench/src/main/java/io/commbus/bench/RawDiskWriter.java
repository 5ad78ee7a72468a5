package io.commbus.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk baselines: what the same disk does with records of the journal's size and no
 * journal at all. Runs on a worker thread, as the journal's own writer does.
 */
final class RawDiskWriter {

  private final Vertx vertx;
  private final Path directory;
  private final int recordBytes;

  RawDiskWriter(Vertx vertx, Path directory, int recordBytes) {
    this.vertx = vertx;
    this.directory = directory;
    this.recordBytes = recordBytes;
  }

  /** {@code count} sequential writes of one record each, no fsync. */
  Future<JournalRun> write(int count) {
    return writeAndSyncBatches(count, 0);
  }

  /** {@code count} records written {@code batch} at a time with one gathering write and one fsync per batch. */
  Future<JournalRun> writeAndSyncBatches(int count, int batch) {
    return vertx.executeBlocking(() -> {
      Path file = Files.createTempFile(directory, "raw", ".dat");
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ByteBuffer record = ByteBuffer.allocate(recordBytes);
        long start = System.nanoTime();
        if (batch == 0) {
          for (int i = 0; i < count; i++) {
            record.clear();
            while (record.hasRemaining()) {
              channel.write(record);
            }
          }
        } else {
          ByteBuffer[] group = new ByteBuffer[batch];
          for (int i = 0; i < batch; i++) {
            group[i] = ByteBuffer.allocate(recordBytes);
          }
          for (int written = 0; written < count; written += batch) {
            int size = Math.min(batch, count - written);
            long remaining = (long) size * recordBytes;
            for (int i = 0; i < size; i++) {
              group[i].clear();
            }
            while (remaining > 0) {
              remaining -= channel.write(group, 0, size);
            }
            channel.force(false);
          }
        }
        return new JournalRun(System.nanoTime() - start, new long[0]);
      } finally {
        Files.deleteIfExists(file);
      }
    }, false);
  }
}
