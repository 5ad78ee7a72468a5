package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one writer of a journal directory: an exclusive lock on {@value #FILE_NAME} in it, taken
 * before recovery may cut anything and held until the journal is closed. The file says who
 * holds it (pid, host, since when) so that a refused opener can name the holder. The operating
 * system drops the lock when its process dies, however it dies, so a crash never leaves a
 * directory locked; the file's words may then be stale and mean nothing.
 *
 * <p>Read-only inspection ({@link JournalInspector}) neither takes the lock nor opens the file.
 */
final class JournalLock implements AutoCloseable {

  /** The lock file's name in the journal directory. */
  static final String FILE_NAME = "journal.lock";

  /**
   * The directories this JVM holds, by real path. The operating system's lock belongs to the
   * process, not to a channel: a second channel could not be refused by it, and closing that
   * channel would silently drop the first one's lock. So openers in one JVM are told apart
   * here, before a second channel is ever opened.
   */
  private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();

  private static final Path KERNEL_HOST_NAME = Path.of("/proc/sys/kernel/hostname");

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;

  private JournalLock(Path directory, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the directory's lock, or fails at once with STORAGE naming the holder. Blocking. */
  static JournalLock take(Path directory) throws IOException {
    Files.createDirectories(directory);
    Path real = directory.toRealPath();
    String holder = holderWords();
    String holderHere = HELD_HERE.putIfAbsent(real, holder);
    if (holderHere != null) {
      throw inUse(real, holderHere);
    }
    FileChannel channel = null;
    try {
      Path file = real.resolve(FILE_NAME);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // This JVM holds the file by a way the map above did not see: another copy of these
        // classes, or another path to the same file (a link, a bind mount). Closing this
        // channel, or opening the file once more to read the holder, would drop that lock.
        // So this channel is left open, on purpose, and the holder named as this process.
        channel = null;
        throw inUse(real, "this process, pid " + ProcessHandle.current().pid() + ", through another path or"
            + " another copy of commbus");
      }
      if (lock == null) {
        throw inUse(real, readHolder(file));
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(true);
      return new JournalLock(real, channel, lock);
    } catch (IOException | RuntimeException e) {
      HELD_HERE.remove(real);
      if (channel != null) {
        channel.close();
      }
      throw e;
    }
  }

  private static CommBusException inUse(Path directory, String holder) {
    return new CommBusException(ErrorCode.STORAGE, "the journal " + directory + " is in use by another writer ("
        + holder + "; lock file " + directory.resolve(FILE_NAME) + "): a journal directory takes one writer at a"
        + " time, so stop the other or give this one its own directory");
  }

  private static String holderWords() {
    return "pid " + ProcessHandle.current().pid() + " on " + hostName() + " since " + Instant.now();
  }

  /** The kernel's host name where there is one to read: a name lookup could wait on a resolver. */
  private static String hostName() {
    try {
      return Files.readString(KERNEL_HOST_NAME, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException unknown) {
        return "an unknown host";
      }
    }
  }

  private static String readHolder(Path file) {
    try {
      String words = Files.readString(file, StandardCharsets.UTF_8).strip();
      // Empty while the holder is between taking the lock and writing its name.
      return words.isEmpty() ? "holder not yet named" : words;
    } catch (NoSuchFileException e) {
      return "holder unknown";
    } catch (IOException e) {
      return "holder unreadable: " + e.getMessage();
    }
  }

  /** Drops the lock; the file stays, so that the next opener does not race a deletion. */
  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } finally {
      HELD_HERE.remove(directory);
    }
  }

  @Override
  public String toString() {
    return "lock on " + directory;
  }
}
