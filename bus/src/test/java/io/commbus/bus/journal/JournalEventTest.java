package io.commbus.bus.journal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JournalEventTest {

  @Test
  void aBodyIsAJsonObjectABufferOrNothing() {
    assertEquals(new JsonObject().put("n", 1),
        new JournalEvent("1", "Tick", 1, Map.of(), new JsonObject().put("n", 1)).body());
    assertEquals(Buffer.buffer("x"), new JournalEvent("2", "Tick", 1, Map.of(), Buffer.buffer("x")).body());
    assertNull(new JournalEvent("3", "Tick", 1, Map.of(), null).body());
  }

  @Test
  void anyOtherBodyIsTheCallersMistake() {
    assertThrows(IllegalArgumentException.class, () -> new JournalEvent("4", "Tick", 1, Map.of(), "text"));
  }
}
