package io.commbus.process;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.process.pool.RuntimeDirectory;
import io.commbus.process.wire.Protocol;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessOptionsTest {

  private static ProcessOptions read(String json) {
    return new ProcessOptions().readFrom(new ConfigSection("pools[0]", new JsonObject(json), Path.of("/etc/commbus")));
  }

  @Test
  void aRuntimeDirectoryTooLongForItsSocketsIsRefusedNamingPathLengthAndLimit() {
    String tooLong = "/srv/" + "r".repeat(RuntimeDirectory.MAX_PARENT_BYTES);

    ConfigException refused = assertThrows(ConfigException.class,
        () -> read("{\"runtimeDirectory\": \"" + tooLong + "\"}"));
    assertThrows(InvalidSettingException.class, () -> new ProcessOptions().setRuntimeDirectory(Path.of(tooLong)));

    assertTrue(refused.getMessage().contains("pools[0].runtimeDirectory"), refused.getMessage());
    assertTrue(refused.getMessage().contains(tooLong), refused.getMessage());
    assertTrue(refused.getMessage().contains((tooLong.length()) + " bytes"), refused.getMessage());
    assertTrue(refused.getMessage().contains(Protocol.MAX_SOCKET_PATH_BYTES + "-byte limit"), refused.getMessage());
    String fits = "/" + "r".repeat(RuntimeDirectory.MAX_PARENT_BYTES - 1);
    assertEquals(Path.of(fits), new ProcessOptions().setRuntimeDirectory(Path.of(fits)).getRuntimeDirectory());
  }

  @Test
  void theSupervisionSettingsAreReadAndTheRestKeepTheirDefaults() {
    ProcessOptions options = read("{\"maxInFlight\": 8, \"maxQueued\": 0, \"requestTimeout\": \"1500ms\","
        + " \"maxRestarts\": 0, \"runtimeDirectory\": \"run\", \"callbacks\": [\"market.MarketData\"]}");

    assertEquals(8, options.getMaxInFlight());
    assertEquals(0, options.getMaxQueued());
    assertEquals(Duration.ofMillis(1500), options.getRequestTimeout());
    assertEquals(0, options.getMaxRestarts());
    assertEquals(Path.of("/etc/commbus/run"), options.getRuntimeDirectory());
    assertEquals(List.of("market.MarketData"), options.getCallbacks());
    ProcessOptions defaults = new ProcessOptions();
    assertEquals(defaults.getHandshakeTimeout(), options.getHandshakeTimeout());
    assertEquals(defaults.getShutdownGrace(), options.getShutdownGrace());
  }

  @Test
  void eachBoundIsTheSettersAndTheFileNamesTheField() {
    assertEquals("maxQueued: must be at least 0, was -1",
        assertThrows(InvalidSettingException.class, () -> new ProcessOptions().setMaxQueued(-1)).getMessage());
    assertEquals("hangGrace: must be longer than zero, was 0 ms",
        assertThrows(InvalidSettingException.class, () -> new ProcessOptions().setHangGrace(Duration.ZERO)).getMessage());

    assertEquals("pools[0].maxInFlight: must be at least 1, was 0",
        assertThrows(ConfigException.class, () -> read("{\"maxInFlight\": 0}")).getMessage());
    assertEquals("pools[0].shutdownGrace: must be longer than zero, was 0 ms",
        assertThrows(ConfigException.class, () -> read("{\"shutdownGrace\": \"0s\"}")).getMessage());
  }

  @Test
  void theRestartPolicyIsReadAndItsDelaysMustAgree() {
    ProcessOptions options = read("{\"initialRestartDelay\": \"50ms\", \"maxRestartDelay\": \"2s\","
        + " \"stableAfter\": \"30s\", \"givenUpRetryInterval\": \"10s\"}");

    assertEquals(Duration.ofMillis(50), options.getInitialRestartDelay());
    assertEquals(Duration.ofSeconds(2), options.getMaxRestartDelay());
    assertEquals(Duration.ofSeconds(30), options.getStableAfter());
    assertEquals(Duration.ofSeconds(10), options.getGivenUpRetryInterval());
    assertEquals(Duration.ofMinutes(1), new ProcessOptions().getGivenUpRetryInterval());

    assertEquals("pools[0].maxRestartDelay: must not be shorter than initialRestartDelay (500 ms), was 100 ms",
        assertThrows(ConfigException.class,
            () -> read("{\"initialRestartDelay\": \"500ms\", \"maxRestartDelay\": \"100ms\"}")).getMessage());
    ProcessOptions set = new ProcessOptions().setCommand(List.of("child")).setInitialRestartDelay(Duration.ofSeconds(20));
    assertEquals("maxRestartDelay: must not be shorter than initialRestartDelay (20000 ms), was 10000 ms",
        assertThrows(InvalidSettingException.class, set::validate).getMessage());
  }

  @Test
  void aMalformedCallbackPathIsNamedByItsPlaceInTheList() {
    assertEquals("callbacks[1]: must be module.Type, two identifiers joined by a dot, was \"nodot\"",
        assertThrows(InvalidSettingException.class,
            () -> new ProcessOptions().addCallback("market.MarketData").addCallback("nodot")).getMessage());

    ConfigException error = assertThrows(ConfigException.class,
        () -> read("{\"callbacks\": [\"market.MarketData\", \"a.b.c\"]}"));
    assertEquals("pools[0].callbacks[1]", error.field());
  }

  @Test
  void theRuntimesOwnVariablesAreRefusedWhereverTheyAreSet() {
    assertEquals("environment.COMMBUS_SOCKET: is set by the runtime and cannot be configured",
        assertThrows(InvalidSettingException.class,
            () -> new ProcessOptions().putEnvironment("COMMBUS_SOCKET", "/tmp/s")).getMessage());
    assertThrows(InvalidSettingException.class,
        () -> new ProcessOptions().setEnvironment(Map.of("COMMBUS_TOKEN", "x")));

    ProcessOptions bypassed = new ProcessOptions().setCommand(List.of("child"));
    bypassed.getEnvironment().put("COMMBUS_CHILD_ID", "x");
    assertThrows(IllegalArgumentException.class, bypassed::validate);
  }
}
