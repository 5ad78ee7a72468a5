package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.CheckpointStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Checkpoints as small files, {@code <group>.checkpoint} holding the position as text. A save
 * writes a temporary file, forces it, and renames it over the old one, so a crash leaves
 * either the old checkpoint or the new one, never a torn one. Runs on worker threads; saves
 * made from one context run in the order they were made, so an older position never
 * overwrites a newer one.
 */
public final class FileCheckpointStore implements CheckpointStore {

  private final Vertx vertx;
  private final Path directory;

  public FileCheckpointStore(Vertx vertx, Path directory) {
    this.vertx = vertx;
    this.directory = directory;
  }

  @Override
  public Future<Long> load(String group) {
    return vertx.executeBlocking(() -> {
      Path file = fileOf(group);
      if (!Files.exists(file)) {
        return 0L;
      }
      String text = Files.readString(file, StandardCharsets.UTF_8).trim();
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new CommBusException(ErrorCode.STORAGE, "checkpoint file " + file + " does not hold a position: '"
            + text + "'");
      }
    }, false);
  }

  @Override
  public Future<Void> save(String group, long position) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(directory);
      Path file = fileOf(group);
      // A temporary file of its own, so saves from two dispatchers (during a hand-over) never share one.
      Path temporary = Files.createTempFile(directory, group + ".", ".checkpoint.tmp");
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap((position + "\n").getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return null;
    }, true);
  }

  private Path fileOf(String group) throws IOException {
    return directory.resolve(group + ".checkpoint");
  }
}
