package io.commbus.process.pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A pool's private directory: mode 0700, holding its children's socket files and a copy of
 * the Python SDK taken from the jar. Only the node's user can reach the sockets, and
 * {@link #delete()} leaves nothing behind. All methods block; call them from a worker.
 */
public final class RuntimeDirectory {

  private static final String SDK_RESOURCE = "commbus-python/commbus/__init__.py";
  private static final Object JAR_LOCK = new Object();

  private final Path root;

  private RuntimeDirectory(Path root) {
    this.root = root;
  }

  public static RuntimeDirectory create(Path parent, String poolName) {
    try {
      Path base = parent != null ? parent : Paths.get(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(base);
      String prefix = "commbus-" + poolName.replaceAll("[^A-Za-z0-9_.-]", "_") + "-";
      Path root = Files.createTempDirectory(base, prefix, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwx------")));
      return new RuntimeDirectory(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the runtime directory for pool " + poolName, e);
    }
  }

  public Path root() {
    return root;
  }

  /** The socket path for one run of one child; short, since socket paths are limited to 107 bytes. */
  public Path socket(int slot, long generation) {
    return root.resolve("c" + slot + "-" + generation + ".sock");
  }

  /** Copies the SDK shipped in the jar into {@code sdk/}; returns the directory to put on the path. */
  public Path extractPythonSdk() {
    URL marker = RuntimeDirectory.class.getClassLoader().getResource(SDK_RESOURCE);
    if (marker == null) {
      throw new IllegalStateException("the commbus Python SDK is missing from the classpath (" + SDK_RESOURCE + ")");
    }
    Path target = root.resolve("sdk");
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        copyFromJar(uri, target.resolve("commbus"));
      } else {
        copyTree(Paths.get(uri).getParent(), target.resolve("commbus"));
      }
      return target;
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot unpack the commbus Python SDK into " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * A jar's file system exists once per JVM: pools starting together take turns opening it,
   * and one left open by someone else is used as it is and not closed.
   */
  private static void copyFromJar(URI uri, Path target) throws IOException {
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
        copyTree(jar.provider().getPath(uri).getParent(), target);
      } finally {
        if (opened != null) {
          opened.close();
        }
      }
    }
  }

  private static void copyTree(Path source, Path target) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(source)) {
      files = walk.collect(Collectors.toList());
    }
    for (Path file : files) {
      String relative = source.relativize(file).toString();
      if (relative.contains("__pycache__")) {
        continue;
      }
      Path destination = target.resolve(relative);
      if (Files.isDirectory(file)) {
        Files.createDirectories(destination);
      } else {
        Files.createDirectories(destination.getParent());
        try (InputStream in = Files.newInputStream(file)) {
          Files.copy(in, destination, StandardCopyOption.REPLACE_EXISTING);
        }
      }
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
