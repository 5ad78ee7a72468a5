package io.commbus.process;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
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

  private static PythonProcessConfig read(String json) {
    return new PythonProcessConfig().readFrom(new ConfigSection("pools[0]", new JsonObject(json), Path.of("/srv")));
  }

  @Test
  void aWorkerReadsItselfAndItsSupervisionSettingsFromOneSection() {
    PythonProcessConfig worker = read("{\"module\": \"pricer\", \"pythonPath\": [\"workers\"],"
        + " \"env\": {\"MODE\": \"live\", \"LEVEL\": 2}, \"requestTimeout\": \"2s\"}");

    assertEquals("pricer", worker.getModule());
    assertEquals("handle", worker.getFunction());
    assertEquals("python3", worker.getPython());
    assertEquals(List.of(Path.of("/srv/workers")), worker.getPythonPath());
    assertEquals(Map.of("MODE", "live", "LEVEL", "2"), worker.getEnvironment());
    assertEquals(Duration.ofSeconds(2), worker.getProcess().getRequestTimeout());
  }

  @Test
  void whatTheWorkerRefusesIsNamedAsTheFileSpellsIt() {
    assertEquals("pools[0].module: required: the Python module that holds the handler",
        assertThrows(ConfigException.class, () -> read("{}")).getMessage());
    assertEquals("pools[0].function: must not be empty",
        assertThrows(ConfigException.class, () -> read("{\"module\": \"m\", \"function\": \"\"}")).getMessage());
    assertEquals("pools[0].env.PYTHONPATH: is set by the runtime; use pythonPath", assertThrows(ConfigException.class,
        () -> read("{\"module\": \"m\", \"env\": {\"PYTHONPATH\": \"x\"}}")).getMessage());
    assertEquals("pools[0].env.COMMBUS_TOKEN: is set by the runtime and cannot be configured",
        assertThrows(ConfigException.class,
            () -> read("{\"module\": \"m\", \"env\": {\"COMMBUS_TOKEN\": \"x\"}}")).getMessage());
  }
}
