package io.commbus.node.pools;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolServiceOptionsTest {

  @Test
  void theServiceSettingsAreReadAndTheRestKeepTheirDefaults() {
    PoolServiceOptions options = new PoolServiceOptions()
        .readFrom(ConfigSection.of(new JsonObject("{\"capabilities\": [\"quote\"], \"heartbeatInterval\": \"500ms\"}")));

    assertEquals(List.of("quote"), options.getCapabilities());
    assertEquals(Duration.ofMillis(500), options.getHeartbeatInterval());
    assertEquals(new PoolServiceOptions().getVersion(), options.getVersion());
  }

  @Test
  void aHeartbeatMustTakeTime() {
    ConfigException error = assertThrows(ConfigException.class, () -> new PoolServiceOptions()
        .readFrom(ConfigSection.of(new JsonObject("{\"heartbeatInterval\": 0}"))));
    assertEquals("heartbeatInterval: must be longer than zero, was 0 ms", error.getMessage());
  }
}
