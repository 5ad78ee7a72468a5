package io.commbus.bus.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

  @Test
  void unitsAndBareMilliseconds() {
    assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
    assertEquals(Duration.ofMillis(250), Durations.parse("250"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofSeconds(30), Durations.parse(" 30 s "));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
  }

  @Test
  void anythingElseSaysWhatIsAccepted() {
    for (String text : new String[] {"", "soon", "1.5s", "-1s", "10 minutes", "PT10S"}) {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
      assertTrue(error.getMessage().startsWith("a duration like 500ms, 30s, 2m or 1h"), error.getMessage());
    }
  }

  @Test
  void formattedInTheLargestWholeUnitAndReadBack() {
    for (String text : new String[] {"1h", "90m", "45s", "1500ms", "0ms"}) {
      assertEquals(text, Durations.format(Durations.parse(text)));
    }
    assertEquals("2m", Durations.format(Duration.ofSeconds(120)));
  }
}
