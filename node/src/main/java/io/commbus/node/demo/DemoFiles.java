package io.commbus.node.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The demos' files: examples shipped in the node jar, written out for their Python, and a directory removed after. */
final class DemoFiles {

  private DemoFiles() {
  }

  /** Writes {@code names} of the jar's {@code commbus-examples/<example>/} into {@code directory}; returns it. */
  static Path unpack(String example, List<String> names, Path directory) throws IOException {
    Files.createDirectories(directory);
    for (String name : names) {
      String resource = "commbus-examples/" + example + "/" + name;
      try (InputStream in = DemoFiles.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the demo's " + name + " is missing from the node jar (" + resource + ")");
        }
        Files.copy(in, directory.resolve(name));
      }
    }
    return directory;
  }

  /** Removes {@code root} and everything in it, as far as it can: it is a temporary directory. */
  static void delete(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a temporary directory; the system cleans it up eventually
    }
  }
}
