package io.commbus.process;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolOptionsTest {

  private static PoolOptions read(String json) {
    return new PoolOptions().readFrom(new ConfigSection("pool", new JsonObject(json), Path.of("/")));
  }

  @Test
  void aPoolReadsItsSettingsAndKeepsItsDefaultsForTheRest() {
    PoolOptions named = read("{\"name\": \"pricing\"}");
    assertEquals("pricing", named.getType());
    assertEquals(1, named.getSize());

    PoolOptions full = read("{\"name\": \"pricing\", \"type\": \"pricing.Quote\", \"size\": 3, \"lifecycleEvents\": false}");
    assertEquals("pricing.Quote", full.getType());
    assertEquals(3, full.getSize());
    assertFalse(full.isLifecycleEvents());
  }

  @Test
  void theSetterStatesEachBoundAndTheFileNamesTheField() {
    InvalidSettingException size = assertThrows(InvalidSettingException.class,
        () -> new PoolOptions("p").setSize(PoolOptions.MAX_SIZE + 1));
    assertEquals("size: must be at most 1024, was 1025", size.getMessage());
    assertEquals("name: may only use letters, digits, '_', '.' and '-', was \"a/b\"",
        assertThrows(InvalidSettingException.class, () -> new PoolOptions("a/b")).getMessage());
    assertEquals("type: must not be empty",
        assertThrows(InvalidSettingException.class, () -> new PoolOptions("p").setType(" ")).getMessage());

    assertEquals("pool.size: must be at least 1, was 0",
        assertThrows(ConfigException.class, () -> read("{\"name\": \"p\", \"size\": 0}")).getMessage());
    assertEquals("pool.name: required: the pool's name, used in child ids and events",
        assertThrows(ConfigException.class, () -> read("{\"size\": 2}")).getMessage());
  }

  @Test
  void aPoolThatHasANameNeedsNoneFromTheFile() {
    PoolOptions pool = new PoolOptions("p").readFrom(ConfigSection.of(new JsonObject().put("size", 2)));
    assertEquals("p", pool.getName());
    assertEquals(2, pool.getSize());
  }
}
