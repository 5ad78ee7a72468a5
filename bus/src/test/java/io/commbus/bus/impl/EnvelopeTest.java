package io.commbus.bus.impl;

import io.commbus.bus.Category;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class EnvelopeTest {

  @Test
  void roundTripsEveryField() {
    Envelope sent = new Envelope(Category.QUERY, "id-1", 1_763_000_000_123L, 1_763_000_030_123L, "trading.Get Price");
    Envelope back = Envelope.parse(sent.format());

    assertEquals(Category.QUERY, back.category);
    assertEquals("id-1", back.id);
    assertEquals(1_763_000_000_123L, back.sentMillis);
    assertEquals(1_763_000_030_123L, back.deadlineMillis);
    assertEquals("trading.Get Price", back.type, "the type is last, so it may hold anything");
  }

  @Test
  void noDeadlineIsADash() {
    String text = new Envelope(Category.EVENT, "e", 16, 0, "T").format();
    assertEquals("event e 10 - T", text);
    assertEquals(0, Envelope.parse(text).deadlineMillis);
  }

  @Test
  void malformedValuesAreRejected() {
    assertNull(Envelope.parse(null));
    assertNull(Envelope.parse("query id 10 -"));
    assertNull(Envelope.parse("query id 10 - "));
    assertNull(Envelope.parse("gossip id 10 - T"));
    assertNull(Envelope.parse("query id zz - T"));
  }
}
