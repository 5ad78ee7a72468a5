package io.commbus.process.pool;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Python SDK the jar carries ({@code commbus-python/commbus}), copied out where Python can
 * import it: a pool's private directory for its children, or the directory {@code commbus stubs}
 * writes for type checkers and IDEs.
 */
public final class PythonSdk {

  private static final String SDK_RESOURCE = "commbus-python/commbus/__init__.py";
  private static final Object JAR_LOCK = new Object();

  private PythonSdk() {
  }

  /**
   * Copies the SDK shipped in the jar into {@code directory/commbus}; returns {@code directory},
   * the entry to put on a Python path.
   */
  public static Path copyInto(Path directory) {
    URL marker = PythonSdk.class.getClassLoader().getResource(SDK_RESOURCE);
    if (marker == null) {
      throw new IllegalStateException("the commbus Python SDK is missing from the classpath (" + SDK_RESOURCE + ")");
    }
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        copyFromJar(uri, directory.resolve("commbus"));
      } else {
        copyTree(Paths.get(uri).getParent(), directory.resolve("commbus"));
      }
      return directory;
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot unpack the commbus Python SDK into " + directory + ": " + e.getMessage(), e);
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
}
