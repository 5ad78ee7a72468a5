package io.commbus.node.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

  @TempDir
  Path dir;

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(BenchCommand command) throws Exception {
    return command.run(List.of("--quick"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void theRepositoryIsFoundAboveTheNodesBuildOutput() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    assertEquals(Optional.of(root), CommbusHome.fromCodeLocation(BenchCommand.class.getProtectionDomain()
        .getCodeSource().getLocation()));
    assertEquals(Optional.empty(), CommbusHome.fromCodeLocation(dir.toUri().toURL()));
  }

  @Test
  void withoutTheRepositoryItSaysHowToPointAtIt() throws Exception {
    assertEquals(1, run(new BenchCommand(Optional::empty)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("set COMMBUS_HOME to its root"), err.toString());
  }

  @Test
  void aDirectoryWithoutTheHarnessIsNamed() throws Exception {
    assertEquals(1, run(new BenchCommand(() -> Optional.of(dir))));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains(dir + " holds no benchmark harness"), err.toString());
  }

  @Test
  void theJarIsStaleOnceASourceIsNewer() throws IOException {
    Path jar = Files.createDirectories(dir.resolve("bench/target")).resolve("commbus-bench.jar");
    Path source = Files.createDirectories(dir.resolve("bus/src/main/java")).resolve("Bus.java");
    Files.writeString(source, "class Bus {}");
    Files.writeString(jar, "jar");
    Path built = Files.createDirectories(dir.resolve("bus/target/classes")).resolve("Bus.class");
    Files.writeString(built, "class");
    Instant now = Instant.now();
    Files.setLastModifiedTime(source, FileTime.from(now.minusSeconds(60)));
    Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(30)));
    Files.setLastModifiedTime(built, FileTime.from(now));   // build output never counts

    assertFalse(BenchCommand.stale(dir, jar));

    Files.setLastModifiedTime(source, FileTime.from(now));
    assertTrue(BenchCommand.stale(dir, jar));
  }
}
