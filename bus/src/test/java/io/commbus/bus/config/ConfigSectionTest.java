package io.commbus.bus.config;

import io.commbus.bus.CommBusOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConfigSectionTest {

  private static ConfigSection section(String json) {
    return new ConfigSection("bus", new JsonObject(json), Path.of("/etc/commbus"));
  }

  @Test
  void optionsTakeWhatTheSectionHoldsAndKeepTheirDefaultsForTheRest() {
    CommBusOptions options = new CommBusOptions().readFrom(section("{\"queryTimeout\": \"2s\", \"streamWindow\": 8}"));

    assertEquals(Duration.ofSeconds(2), options.getQueryTimeout());
    assertEquals(8, options.getStreamWindow());
    assertEquals(CommBusOptions.DEFAULT_QUERY_TIMEOUT, options.getSendTimeout());
    assertNull(options.getStreamIdleTimeout());
  }

  @Test
  void aBoundTheSetterStatesComesBackNamingTheField() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> new CommBusOptions().readFrom(section("{\"streamWindow\": 0}")));
    assertEquals("bus.streamWindow", error.field());
    assertEquals("bus.streamWindow: must be at least 1, was 0", error.getMessage());

    ConfigException tooBig = assertThrows(ConfigException.class,
        () -> new CommBusOptions().readFrom(section("{\"streamWindow\": 2000000}")));
    assertEquals("bus.streamWindow: must be at most " + CommBusOptions.MAX_STREAM_WINDOW + ", was 2000000",
        tooBig.getMessage());
  }

  @Test
  void theSameBoundRefusesTheSameValueThroughTheApi() {
    InvalidSettingException error = assertThrows(InvalidSettingException.class,
        () -> new CommBusOptions().setQueryTimeout(Duration.ZERO));
    assertEquals("queryTimeout", error.setting());
    assertEquals("queryTimeout: must be longer than zero, was 0 ms", error.getMessage());
  }

  @Test
  void aValueOfTheWrongTypeIsNamedBeforeAnySetterRuns() {
    ConfigException error = assertThrows(ConfigException.class,
        () -> new CommBusOptions().readFrom(section("{\"streamWindow\": \"many\"}")));
    assertEquals("bus.streamWindow: must be a whole number, was \"many\"", error.getMessage());
  }

  @Test
  void fieldsAnOptionsClassReadAreKnownToRejectUnknown() {
    ConfigSection section = section("{\"queryTimeout\": 100, \"queryTimeuot\": 100}");
    new CommBusOptions().readFrom(section);
    ConfigException error = assertThrows(ConfigException.class, section::rejectUnknown);
    assertEquals("bus.queryTimeuot", error.field());
  }

  @Test
  void pathsAreTakenFromTheFilesDirectory() {
    Path[] seen = new Path[1];
    section("{\"dir\": \"data/journal\"}").applyPath("dir", path -> seen[0] = path);
    assertEquals(Path.of("/etc/commbus/data/journal"), seen[0]);
  }

  @Test
  void listedPathsAreTakenFromTheFilesDirectoryToo() {
    List<List<Path>> seen = new ArrayList<>();
    section("{\"path\": [\"lib\", \"/opt/lib\"]}").applyPaths("path", seen::add);
    assertEquals(List.of(List.of(Path.of("/etc/commbus/lib"), Path.of("/opt/lib"))), seen);
  }

  @Test
  void aRefusedEntryOfAnObjectIsNamedByItsKey() {
    Map<String, String> taken = new LinkedHashMap<>();
    ConfigException error = assertThrows(ConfigException.class, () -> section("{\"env\": {\"A\": 1, \"B\": \"x\"}}")
        .applyStringMap("env", (key, value) -> {
          if (key.equals("B")) {
            throw new InvalidSettingException("environment." + key, "is not allowed");
          }
          taken.put(key, value);
        }));
    assertEquals("bus.env.B: is not allowed", error.getMessage());
    assertEquals(Map.of("A", "1"), taken);
  }

  @Test
  void aSetterThatNamesAnItemOfTheListIsNamedWithIt() {
    ConfigException error = assertThrows(ConfigException.class, () -> section("{\"paths\": [\"a\", \"b\"]}")
        .applyStrings("paths", list -> {
          throw new InvalidSettingException("paths[1]", "must not be b");
        }));
    assertEquals("bus.paths[1]", error.field());
    assertEquals("bus.paths[1]: must not be b", error.getMessage());
  }

  @Test
  void aRequiredSettingIsRequiredOnlyWhenTheOptionsHaveNoValue() {
    ConfigSection section = section("{}");
    section.require("name", "set in code", "the pool's name");
    ConfigException error = assertThrows(ConfigException.class, () -> section.require("name", null, "the pool's name"));
    assertEquals("bus.name: required: the pool's name", error.getMessage());
  }
}
