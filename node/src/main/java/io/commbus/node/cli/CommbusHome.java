package io.commbus.node.cli;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Finds the commbus repository, for commands that build from its sources: {@code $COMMBUS_HOME}
 * (the {@code ./commbus} launcher sets it), else the root above the node's build output, where
 * this code runs from ({@code node/target/commbus-node.jar} or {@code node/target/classes}).
 */
final class CommbusHome {

  static final String ENV = "COMMBUS_HOME";

  private CommbusHome() {
  }

  /** The repository root, if one can be found. */
  static Optional<Path> locate() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env).toAbsolutePath().normalize());
    }
    CodeSource source = CommbusHome.class.getProtectionDomain().getCodeSource();
    return source == null ? Optional.empty() : fromCodeLocation(source.getLocation());
  }

  /** The root above {@code <root>/node/target/<jar or classes>}, if that is where {@code location} is. */
  static Optional<Path> fromCodeLocation(URL location) {
    Path code;
    try {
      code = Path.of(location.toURI()).toAbsolutePath().normalize();
    } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return Optional.empty();
    }
    Path target = code.getParent();
    if (target == null || !target.getFileName().toString().equals("target")) {
      return Optional.empty();
    }
    Path module = target.getParent();
    Path root = module == null ? null : module.getParent();
    if (root == null || !module.getFileName().toString().equals("node") || !Files.isRegularFile(root.resolve("pom.xml"))) {
      return Optional.empty();
    }
    return Optional.of(root);
  }
}
