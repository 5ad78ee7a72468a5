package io.commbus.process.pool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Python SDK the jar carries ({@code commbus-python/commbus}), copied out where Python can
 * import it: once per SDK version into the user's cache ({@link #cache()}), which every pool
 * shares, so its bytecode is compiled once and every child after the first starts warm; or
 * into a directory of one's own ({@link #copyInto}), as {@code commbus stubs} writes it.
 */
public final class PythonSdk {

  private static final String SDK_RESOURCE = "commbus-python/commbus/__init__.py";
  private static final String PACKAGE = "commbus";
  private static final String SHARED_PREFIX = "commbus-sdk-";
  /** Beside the rest of the user's caches, so the runtime directories hold only what a pool leaves behind when it stops: nothing. */
  private static final String CACHE = "commbus";
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");
  private static final Object JAR_LOCK = new Object();

  private PythonSdk() {
  }

  /**
   * Copies the SDK into {@code directory/commbus}; returns {@code directory}, the entry to put on
   * a Python path.
   */
  public static Path copyInto(Path directory) {
    try {
      write(read(), directory.resolve(PACKAGE));
      return directory;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the commbus Python SDK into " + directory + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Where {@link #shared} keeps the SDK by default: {@code $XDG_CACHE_HOME/commbus}, else
   * {@code ~/.cache/commbus}, made private to the node's user if it is not there yet.
   */
  public static Path cache() throws IOException {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
    Path cache = base.resolve(CACHE);
    if (!Files.isDirectory(cache)) {
      Files.createDirectories(base);
      try {
        Files.createDirectory(cache, PosixFilePermissions.asFileAttribute(PRIVATE));
      } catch (FileAlreadyExistsException e) {
        // another node of the same user made it meanwhile
      }
    }
    return cache;
  }

  /**
   * The SDK under {@code parent/commbus-sdk-<hash of its files>}, unpacked the first time and
   * found there after, by this node or another of the same user; returns the entry to put on a
   * Python path. The directory is the node user's, mode 0700: one that is not (someone else made
   * it) is not used, and the SDK is copied into {@code fallback} instead. Python writes the
   * bytecode beside the sources, so every child but the first imports the SDK compiled.
   */
  public static Path shared(Path parent, Path fallback) {
    try {
      Map<String, byte[]> files = read();
      Path directory = parent.resolve(SHARED_PREFIX + hash(files));
      if (usable(directory, files)) {
        return directory;
      }
      if (Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        return copyInto(fallback);  // not ours, or not whole: left alone
      }
      // Unpacked beside it, then renamed into place: a pool starting at the same time finds it whole or not at all.
      Files.createDirectories(parent);
      Path unpacking = Files.createTempDirectory(parent, SHARED_PREFIX, PosixFilePermissions.asFileAttribute(PRIVATE));
      try {
        write(files, unpacking.resolve(PACKAGE));
        Files.move(unpacking, directory, StandardCopyOption.ATOMIC_MOVE);
        return directory;
      } catch (IOException e) {
        // Another pool's rename came first (Linux says ENOTEMPTY), or the write failed: use what is there if it is whole.
        return usable(directory, files) ? directory : copyInto(fallback);
      } finally {
        if (Files.exists(unpacking, LinkOption.NOFOLLOW_LINKS)) {
          delete(unpacking);
        }
      }
    } catch (IOException e) {
      return copyInto(fallback);
    }
  }

  /** Whether {@code directory} is ours, private, a real directory, and holds every file of the SDK. */
  private static boolean usable(Path directory, Map<String, byte[]> files) throws IOException {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)
        || !Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS).equals(ownUid())
        || !Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS).equals(PRIVATE)) {
      return false;
    }
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path copy = directory.resolve(PACKAGE).resolve(file.getKey());
      if (!Files.isRegularFile(copy, LinkOption.NOFOLLOW_LINKS) || Files.size(copy) != file.getValue().length) {
        return false;
      }
    }
    return true;
  }

  /** This process's user id, as the system says who owns {@code /proc/self} (names may be missing in containers). */
  private static Object ownUid() throws IOException {
    return Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
  }

  private static String hash(Map<String, byte[]> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(file.getValue());
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /** The SDK's files by their path under {@code commbus/}, sorted. */
  private static Map<String, byte[]> read() throws IOException {
    URL marker = PythonSdk.class.getClassLoader().getResource(SDK_RESOURCE);
    if (marker == null) {
      throw new IllegalStateException("the commbus Python SDK is missing from the classpath (" + SDK_RESOURCE + ")");
    }
    URI uri;
    try {
      uri = marker.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("the SDK's location " + marker + " is no URI", e);
    }
    if (!"jar".equals(uri.getScheme())) {
      return readTree(Paths.get(uri).getParent());
    }
    // A jar's file system exists once per JVM: pools starting together take turns opening it,
    // and one left open by someone else is used as it is and not closed.
    synchronized (JAR_LOCK) {
      FileSystem opened = null;
      FileSystem jar;
      try {
        jar = FileSystems.getFileSystem(uri);
      } catch (FileSystemNotFoundException e) {
        opened = FileSystems.newFileSystem(uri, Map.of());
        jar = opened;
      }
      try {
        return readTree(jar.provider().getPath(uri).getParent());
      } finally {
        if (opened != null) {
          opened.close();
        }
      }
    }
  }

  private static Map<String, byte[]> readTree(Path source) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    List<Path> found;
    try (Stream<Path> walk = Files.walk(source)) {
      found = walk.filter(Files::isRegularFile).collect(Collectors.toList());
    }
    for (Path file : found) {
      String relative = source.relativize(file).toString();
      if (!relative.contains("__pycache__")) {
        files.put(relative, Files.readAllBytes(file));
      }
    }
    return files;
  }

  private static void write(Map<String, byte[]> files, Path target) throws IOException {
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      Path destination = target.resolve(file.getKey());
      Files.createDirectories(destination.getParent());
      Files.write(destination, file.getValue());
    }
  }

  private static void delete(Path directory) throws IOException {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(path);
      }
    }
  }
}
