package io.commbus.process;

import io.commbus.process.wire.Protocol;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PythonProcessConfigTest {

  private static final Path SDK = Path.of("/opt/sdk");

  private static PythonProcessConfig worker() {
    return new PythonProcessConfig("strategy", "execute");
  }

  @Test
  void theEnvironmentIsTheProcessOptionsTheWorkersAndThePythonRuntimes() {
    PythonProcessConfig worker = worker().putEnvironment("MODE", "paper");
    worker.getProcess().putEnvironment("REGION", "eu").putEnvironment("MODE", "paper");

    ProcessOptions options = worker.toProcessOptions(SDK);

    assertEquals(Map.of("REGION", "eu", "MODE", "paper", "PYTHONPATH", SDK.toString(), "PYTHONUNBUFFERED", "1"),
        options.getEnvironment());
    assertEquals("strategy", options.getEntry().getString(Protocol.ENTRY_MODULE));
  }

  @Test
  void aVariableSetTwiceToDifferentValuesIsRefusedNotOverridden() {
    PythonProcessConfig worker = worker().putEnvironment("MODE", "live");
    worker.getProcess().putEnvironment("MODE", "paper");

    IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> worker.toProcessOptions(SDK));

    assertEquals("environment: MODE is set to \"paper\" and to \"live\" in the worker's environment; set it in one place",
        error.getMessage());
  }

  @Test
  void theRuntimesVariablesAreNotConfigured() {
    IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
        () -> worker().putEnvironment("PYTHONPATH", "/elsewhere").toProcessOptions(SDK));
    assertTrue(path.getMessage().contains("use pythonPath"), path.getMessage());

    assertThrows(IllegalArgumentException.class,
        () -> worker().putEnvironment("PYTHONUNBUFFERED", "0").toProcessOptions(SDK));
    assertEquals("1", worker().putEnvironment("PYTHONUNBUFFERED", "1").toProcessOptions(SDK).getEnvironment()
        .get("PYTHONUNBUFFERED"));
  }
}
