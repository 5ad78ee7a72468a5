package io.commbus.bus.journal.file;

import io.commbus.bus.journal.JournalEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The record layout's own checks: what every walk and read accepts as a well-formed payload. */
class RecordFormatTest {

  private static byte[] payloadOf(JournalEvent event) {
    ByteBuffer framed = RecordFormat.encode(7, event, 1 << 20);
    byte[] payload = new byte[framed.remaining() - RecordFormat.FRAME_BYTES];
    framed.position(RecordFormat.FRAME_BYTES);
    framed.get(payload);
    return payload;
  }

  private static final JournalEvent WITH_HEADERS = new JournalEvent("id-1", "Order", 5,
      Map.of("tenant", "blue", "app", "shop"), new JsonObject().put("n", 1));

  @Test
  void everyBodyKindEncodesWellFormedAndDecodesBack() {
    for (Object body : new Object[] {null, new JsonObject().put("n", 1), Buffer.buffer(new byte[] {1, 2, 3})}) {
      byte[] payload = payloadOf(new JournalEvent("id", "T", 1, Map.of("h", "v"), body));
      assertTrue(RecordFormat.wellFormed(payload, 0, payload.length), String.valueOf(body));
      assertEquals("T", RecordFormat.decode(payload, 0, payload.length).event().type());
    }
  }

  @Test
  void aPayloadIsCheckedWhereverItSitsInTheBuffer() {
    byte[] payload = payloadOf(WITH_HEADERS);
    byte[] padded = new byte[payload.length + 10];
    System.arraycopy(payload, 0, padded, 5, payload.length);
    assertTrue(RecordFormat.wellFormed(padded, 5, payload.length));
  }

  @Test
  void fieldsThatDoNotFillTheLengthExactlyAreMalformed() {
    byte[] payload = payloadOf(WITH_HEADERS);
    assertFalse(RecordFormat.wellFormed(payload, 0, payload.length - 1), "one byte short");
    byte[] longer = java.util.Arrays.copyOf(payload, payload.length + 1);
    assertFalse(RecordFormat.wellFormed(longer, 0, longer.length), "one byte left over");

    byte[] kind = payload.clone();
    kind[16] = 3;
    assertFalse(RecordFormat.wellFormed(kind, 0, kind.length), "an unknown body kind");

    byte[] id = payload.clone();
    ByteBuffer.wrap(id).putShort(17, (short) 0xFFFF);
    assertFalse(RecordFormat.wellFormed(id, 0, id.length), "an id running past the payload");

    byte[] headers = payload.clone();
    int headerCountAt = 17 + 2 + "id-1".length() + 2 + "Order".length();
    ByteBuffer.wrap(headers).putShort(headerCountAt, (short) 3);
    assertFalse(RecordFormat.wellFormed(headers, 0, headers.length), "more headers than there are");

    byte[] body = payload.clone();
    ByteBuffer.wrap(body).putInt(body.length - new JsonObject().put("n", 1).toBuffer().length() - 4, -1);
    assertFalse(RecordFormat.wellFormed(body, 0, body.length), "a body length past the u31 range");
  }
}
