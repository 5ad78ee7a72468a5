package io.commbus.bus.impl;

import io.commbus.bus.Category;
import io.commbus.bus.Message;
import io.commbus.bus.internal.PayloadMapper;
import io.commbus.bus.internal.Wire;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceivedHeadersTest {

  private static final long SENT = 1_763_000_000_123L;
  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  private final PayloadMapper payloads = new PayloadMapper();

  /** The headers a journaled event travels with, as the bus writes them. */
  private static Map<String, String> eventHeaders() {
    return Map.of(
        Wire.ENVELOPE, new Envelope(Category.EVENT, "id-7", SENT, 0, "Tick").format(),
        Wire.TRACEPARENT, TRACEPARENT,
        Wire.WRAPPED, "1",
        "tenant", "acme");
  }

  @Test
  void aReplayedEventIsTheMessageItWasLive() {
    JsonObject body = new JsonObject().put("value", 42);
    MultiMap live = MultiMap.caseInsensitiveMultiMap().addAll(eventHeaders()).add(Wire.POSITION, "9");
    JournalRecord record = new JournalRecord(9, new JournalEvent("id-7", "Tick", SENT, eventHeaders(), body));

    Message delivered = ReceivedHeaders.of(live).live(payloads, body, "fallback", Category.QUERY);
    Message replayed = ReceivedHeaders.of(record.event().headers()).replayed(payloads, record);

    for (Message m : new Message[] {delivered, replayed}) {
      assertEquals("id-7", m.id());
      assertEquals("Tick", m.type());
      assertEquals(Category.EVENT, m.category());
      assertEquals(42, m.body(), "the wrapped plain value, unwrapped");
      assertEquals(Map.of("tenant", "acme"), m.metadata(), "only what is not the bus's own");
      assertEquals(TRACEPARENT, m.traceparent());
      assertEquals(Instant.ofEpochMilli(SENT), m.timestamp());
      assertNull(m.deadline());
      assertEquals(9, m.position());
    }
  }

  @Test
  void withoutAnEnvelopeTheAddressSaysWhatArrived() {
    MultiMap foreign = MultiMap.caseInsensitiveMultiMap().add("x-origin", "plain vert.x");
    Message m = ReceivedHeaders.of(foreign).live(payloads, new JsonObject(), "Tick", Category.EVENT);

    assertNull(m.id());
    assertEquals("Tick", m.type());
    assertEquals(Category.EVENT, m.category());
    assertEquals(Map.of("x-origin", "plain vert.x"), m.metadata());
    assertNull(m.timestamp());
  }

  @Test
  void streamedQueryHeadersAreRead() {
    MultiMap query = MultiMap.caseInsensitiveMultiMap()
        .add(Wire.ENVELOPE, new Envelope(Category.QUERY, "q-1", SENT, SENT + 5_000, "Ticks").format())
        .add(Wire.MODE, Wire.MODE_STREAM).add(Wire.STREAM, "s-1").add(Wire.CREDIT, "8").add(Wire.IDLE, "500");
    ReceivedHeaders headers = ReceivedHeaders.of(query);

    assertTrue(headers.streamMode);
    assertEquals("s-1", headers.stream);
    assertEquals("8", headers.credit);
    assertEquals("500", headers.idle);
    assertEquals(SENT + 5_000, headers.envelope().deadlineMillis);
    assertEquals(Map.of(), headers.metadata());
    assertFalse(ReceivedHeaders.of(MultiMap.caseInsensitiveMultiMap().add(Wire.MODE, "other")).streamMode);
  }

  @Test
  void aReplyIsAnUntypedMessageOfTheQuerysType() {
    MultiMap reply = MultiMap.caseInsensitiveMultiMap().add("cache", "hit");
    Message m = ReceivedHeaders.of(reply).reply(payloads, new JsonObject().put("price", 1.5), "GetPrice");

    assertEquals("GetPrice", m.type());
    assertEquals(Category.QUERY, m.category());
    assertEquals(1.5, m.json().getDouble("price"));
    assertEquals(Map.of("cache", "hit"), m.metadata());
  }
}
