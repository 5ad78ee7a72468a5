package io.commbus.process.pool;

import io.commbus.process.wire.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeDirectoryTest {

  @TempDir
  Path scratch;

  @Test
  void underTheLongestParentAllowedEverySocketPathFitsTheLimit() throws Exception {
    Path parent = scratch.resolve("p".repeat(RuntimeDirectory.MAX_PARENT_BYTES - scratch.toString().length() - 1));
    assertEquals(RuntimeDirectory.MAX_PARENT_BYTES, parent.toString().length());

    RuntimeDirectory directory = RuntimeDirectory.create(parent, "a-pool-with-a-rather-long-name-indeed");
    try {
      Path worst = directory.socket(Integer.MAX_VALUE, Long.MAX_VALUE);
      assertTrue(worst.toString().getBytes(StandardCharsets.UTF_8).length <= Protocol.MAX_SOCKET_PATH_BYTES,
          worst + " is " + worst.toString().length() + " bytes");
      assertEquals(directory.root().resolve("c0-1.sock"), directory.socket(0, 1));
    } finally {
      directory.delete();
    }
    assertFalse(Files.exists(directory.root()));
  }

  @Test
  void aParentTooLongIsRefusedAtCreationAndNothingIsMade() {
    Path parent = scratch.resolve("p".repeat(RuntimeDirectory.MAX_PARENT_BYTES));

    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> RuntimeDirectory.create(parent, "pool"));

    assertTrue(refused.getMessage().contains(parent.toString()), refused.getMessage());
    assertFalse(Files.exists(parent));
  }

  @Test
  void theDefaultParentIsShortEnough() {
    RuntimeDirectory directory = RuntimeDirectory.create(null, "pool");
    try {
      assertTrue(RuntimeDirectory.unfit(directory.root().getParent()).isEmpty(), directory.root().toString());
    } finally {
      directory.delete();
    }
  }
}
