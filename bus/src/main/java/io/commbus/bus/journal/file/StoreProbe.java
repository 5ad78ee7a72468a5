package io.commbus.bus.journal.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tries whether a journal directory stores data again, without appending: writes one page to
 * {@value #FILE_NAME}, forces it and removes it. Blocking.
 */
final class StoreProbe {

  static final String FILE_NAME = "journal.probe";
  private static final int PAGE = 4096;

  private StoreProbe() {
  }

  static void write(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer page = ByteBuffer.allocate(PAGE);
      while (page.hasRemaining()) {
        channel.write(page);
      }
      channel.force(true);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
