package io.commbus.process.pool;

import io.commbus.process.wire.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A pool's private directory: mode 0700, holding its children's socket files. Only the node's
 * user can reach the sockets, and {@link #delete()} leaves nothing behind. The Python SDK its
 * children import is the copy pools share in the user's cache ({@link PythonSdk#cache()}),
 * one per SDK version, or when that cannot be had a copy in {@code sdk/} here. All methods
 * block; call them from a worker.
 *
 * <p>Names are short and of bounded length, since a socket path may not exceed
 * {@link Protocol#MAX_SOCKET_PATH_BYTES}: {@code <parent>/cb-<8 random>/c<slot>-<run>.sock}, slot
 * and run in base 36. So a parent of at most {@link #MAX_PARENT_BYTES} always fits, whatever the
 * slot and however often it restarts; a longer one is refused with the numbers.
 */
public final class RuntimeDirectory {

  private static final String NAME_PREFIX = "cb-";
  private static final int RANDOM_CHARS = 8;
  private static final int RADIX = 36;
  private static final String SOCKET_PREFIX = "c";
  private static final String SOCKET_SUFFIX = ".sock";
  private static final String CHANNEL_PREFIX = "k";
  /** The longest socket file name: the largest slot index and run number. */
  private static final int MAX_SOCKET_NAME = socketName(Integer.MAX_VALUE, Long.MAX_VALUE).length();
  /** The longest parent directory whose sockets fit: room for the private directory and a socket name. */
  public static final int MAX_PARENT_BYTES = Protocol.MAX_SOCKET_PATH_BYTES
      - (1 + NAME_PREFIX.length() + RANDOM_CHARS + 1 + MAX_SOCKET_NAME);
  /** Where the private directory goes when the system temporary directory is too long for it. */
  private static final Path SHORT_FALLBACK = Paths.get("/tmp");

  private final Path root;

  private RuntimeDirectory(Path root) {
    this.root = root;
  }

  /**
   * Why {@code parent} cannot hold a pool's private directory: its sockets would be too long to
   * listen on. Empty when it fits.
   */
  public static Optional<String> unfit(Path parent) {
    String path = parent.toAbsolutePath().toString();
    int length = path.getBytes(StandardCharsets.UTF_8).length;
    if (length <= MAX_PARENT_BYTES) {
      return Optional.empty();
    }
    return Optional.of(path + " is " + length + " bytes long, and the sockets made under it would pass the "
        + Protocol.MAX_SOCKET_PATH_BYTES + "-byte limit of a Unix socket path; use a directory of at most "
        + MAX_PARENT_BYTES + " bytes");
  }

  /**
   * Makes the private directory under {@code parent}; null: the system temporary directory,
   * or {@code /tmp} when that is too long. A configured parent too long to hold the sockets is
   * refused with an IllegalArgumentException saying why ({@link #unfit}).
   */
  public static RuntimeDirectory create(Path parent, String poolName) {
    Path base = parent != null ? parent : defaultParent();
    unfit(base).ifPresent(why -> {
      throw new IllegalArgumentException("runtimeDirectory: " + why);
    });
    try {
      Files.createDirectories(base);
      FileAttribute<?> privateMode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
      while (true) {
        try {
          return new RuntimeDirectory(Files.createDirectory(base.resolve(NAME_PREFIX + randomName()), privateMode));
        } catch (FileAlreadyExistsException taken) {
          // another pool drew the same name: draw again
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the runtime directory for pool " + poolName + " in " + base, e);
    }
  }

  private static Path defaultParent() {
    Path temporary = Paths.get(System.getProperty("java.io.tmpdir"));
    return unfit(temporary).isEmpty() ? temporary : SHORT_FALLBACK;
  }

  private static String randomName() {
    StringBuilder name = new StringBuilder(RANDOM_CHARS);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      name.append(Character.forDigit(ThreadLocalRandom.current().nextInt(RADIX), RADIX));
    }
    return name.toString();
  }

  private static String socketName(int slot, long generation) {
    return SOCKET_PREFIX + Integer.toString(slot, RADIX) + "-" + Long.toString(generation, RADIX) + SOCKET_SUFFIX;
  }

  public Path root() {
    return root;
  }

  /** The socket path for one run of one child; within {@link Protocol#MAX_SOCKET_PATH_BYTES} by construction. */
  public Path socket(int slot, long generation) {
    return root.resolve(socketName(slot, generation));
  }

  /** The socket path of a pipeline session's channel {@code index}; as short as a child's. */
  public Path channel(int index) {
    return root.resolve(CHANNEL_PREFIX + Integer.toString(index, RADIX) + SOCKET_SUFFIX);
  }

  /**
   * The SDK shipped in the jar, where the pool's children import it from: the copy pools share
   * in the user's cache ({@link PythonSdk#shared}), else one in {@code sdk/}; returns the
   * directory to put on the path.
   */
  public Path extractPythonSdk() {
    Path own = root.resolve("sdk");
    try {
      return PythonSdk.shared(PythonSdk.cache(), own);
    } catch (IOException e) {
      return PythonSdk.copyInto(own);  // no cache to be had (no home directory, a read-only one)
    }
  }

  /** Removes the directory and everything in it. */
  public void delete() {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the runtime directory " + root, e);
    }
  }
}
