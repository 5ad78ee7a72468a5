package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writes real journals for tests, and damages their files as a disk, a crash or a careless hand would. */
final class JournalFiles {

  private JournalFiles() {
  }

  /** Appends {@code events} in order through a {@link FileJournal}, then closes it: event n gets position n. */
  static void write(Vertx vertx, FileJournalOptions options, List<JournalEvent> events) throws Exception {
    FileJournal journal = FileJournal.open(vertx, options).await(30, TimeUnit.SECONDS);
    // Appends are queued in call order, so event n gets position n.
    Future.all(events.stream().map(journal::append).collect(Collectors.toList())).await(30, TimeUnit.SECONDS);
    journal.close().await(30, TimeUnit.SECONDS);
  }

  /** {@code count} Ticks whose body holds their position, {@code {"n": n}}. */
  static List<JournalEvent> ticks(int count) {
    List<JournalEvent> events = new ArrayList<>();
    for (int n = 1; n <= count; n++) {
      events.add(new JournalEvent("id-" + n, "Tick", 1_700_000_000_000L + n, Map.of(), new JsonObject().put("n", n)));
    }
    return events;
  }

  static List<Path> segments(Path directory) throws IOException {
    return new JournalInspector(directory).segmentFiles();
  }

  static Path indexOf(Path segment) {
    return segment.resolveSibling(segment.getFileName().toString().replace(".seg", ".idx"));
  }

  /** Where each record of a segment starts, found by following the length prefixes. */
  static List<Long> recordOffsets(Path segment) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Long> offsets = new ArrayList<>();
    int at = Segment.HEADER_BYTES;
    while (at + RecordFormat.FRAME_BYTES <= bytes.limit()) {
      offsets.add((long) at);
      at += RecordFormat.FRAME_BYTES + bytes.getInt(at);
    }
    return offsets;
  }

  static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0xFF);
    }
  }

  static void appendBytes(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.APPEND);
  }

  /** Overwrites the bytes at {@code offset} with {@code bytes}. */
  static void rewriteBytes(Path file, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      raf.write(bytes);
    }
  }

  /** Takes the bytes {@code [from, to)} out of the file, closing up what follows. */
  static void removeBytes(Path file, long from, long to) throws IOException {
    byte[] all = Files.readAllBytes(file);
    byte[] kept = new byte[all.length - (int) (to - from)];
    System.arraycopy(all, 0, kept, 0, (int) from);
    System.arraycopy(all, (int) to, kept, (int) from, all.length - (int) to);
    Files.write(file, kept);
  }

  static void cutBy(Path file, long bytes) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() - bytes);
    }
  }

  /** Changes the payload of the record at {@code offset} and gives it a matching CRC again, as only a writer could. */
  static void rewritePayload(Path segment, long offset, Consumer<ByteBuffer> change) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.seek(offset);
      byte[] payload = new byte[file.readInt()];
      file.seek(offset + RecordFormat.FRAME_BYTES);
      file.readFully(payload);
      change.accept(ByteBuffer.wrap(payload));
      CRC32C crc = new CRC32C();
      crc.update(payload);
      file.seek(offset + 4);
      file.writeInt((int) crc.getValue());
      file.write(payload);
    }
  }

  /** Every file's name, bytes and modification time. */
  /** The journal's files, byte for byte, with their modification times; the lock file, which says who opened it last, aside. */
  static Map<String, byte[]> snapshot(Path directory) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> listing = Files.list(directory)) {
      for (Path file : listing.filter(f -> !f.getFileName().toString().equals(JournalLock.FILE_NAME))
          .collect(Collectors.toList())) {
        files.put(file.getFileName().toString(), Files.readAllBytes(file));
        files.put(file.getFileName() + " modified", Files.getLastModifiedTime(file).toString().getBytes());
      }
    }
    return files;
  }

  static void assertUnchanged(Path directory, Map<String, byte[]> before) throws IOException {
    Map<String, byte[]> after = snapshot(directory);
    assertEquals(before.keySet(), after.keySet(), "files were added or removed");
    for (String name : before.keySet()) {
      assertTrue(Arrays.equals(before.get(name), after.get(name)), name + " changed");
    }
  }
}
