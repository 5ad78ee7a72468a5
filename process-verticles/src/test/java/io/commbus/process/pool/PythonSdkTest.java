package io.commbus.process.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK unpacked once per version into a directory pools share, and never into one that is not the node's. */
class PythonSdkTest {

  @Test
  void theSharedCopyIsUnpackedOnceAndFoundAgain(@TempDir Path parent) throws Exception {
    Path first = PythonSdk.shared(parent, parent.resolve("fallback-a"));
    Path again = PythonSdk.shared(parent, parent.resolve("fallback-b"));

    assertEquals(first, again);
    assertTrue(first.getFileName().toString().matches("commbus-sdk-[0-9a-f]{16}"), first.toString());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));
    assertTrue(Files.isRegularFile(first.resolve("commbus/__init__.py")));
    assertTrue(Files.isRegularFile(first.resolve("commbus/forkserver.py")));
    try (Stream<Path> left = Files.list(parent)) {
      assertEquals(List.of(first), left.toList(), "no fallback copy and no half-unpacked directory");
    }
  }

  @Test
  void aSharedDirectoryOthersCouldWriteIsNotUsed(@TempDir Path parent) throws Exception {
    Path shared = PythonSdk.shared(parent, parent.resolve("unused"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

    Path used = PythonSdk.shared(parent, parent.resolve("own"));

    assertEquals(parent.resolve("own"), used);
    assertTrue(Files.isRegularFile(used.resolve("commbus/__init__.py")));
  }

  @Test
  void aSharedCopyMissingAFileIsNotUsed(@TempDir Path parent) throws Exception {
    Path shared = PythonSdk.shared(parent, parent.resolve("unused"));
    Files.delete(shared.resolve("commbus/client.py"));

    assertEquals(parent.resolve("own"), PythonSdk.shared(parent, parent.resolve("own")));
  }
}
