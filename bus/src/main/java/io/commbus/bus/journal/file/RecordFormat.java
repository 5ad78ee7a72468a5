package io.commbus.bus.journal.file;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.JournalEvent;
import io.commbus.bus.journal.JournalRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The on-disk form of one record, documented in docs/journal.md:
 *
 * <pre>
 *   u32 length of the payload
 *   u32 CRC32C of the payload
 *   payload: u64 position, u64 timestamp (epoch ms), u8 body kind (0 none, 1 JSON, 2 bytes),
 *            str id, str type, u16 header count, (str name, str value)*, u32 body length, body
 *   str: u16 byte length, UTF-8 bytes
 * </pre>
 *
 * Big-endian throughout. What a reader may accept is decided by this format alone (see
 * {@link SegmentScanner} and {@link SegmentWalk}): a length the format can hold, a matching CRC,
 * a {@linkplain #wellFormed well-formed} payload and the position expected next. The configured
 * {@code maxRecordBytes} bounds what the writer accepts, here in {@link #encode}, and nowhere
 * else: a record written under a larger bound stays valid data.
 */
final class RecordFormat {

  /** Bytes before the payload: length and CRC. */
  static final int FRAME_BYTES = 8;
  /** The smallest possible payload: position, timestamp, kind, two empty strings, no headers, no body. */
  static final int MIN_PAYLOAD = 8 + 8 + 1 + 2 + 2 + 2 + 4;

  private static final byte BODY_NONE = 0;
  private static final byte BODY_JSON = 1;
  private static final byte BODY_BYTES = 2;

  private RecordFormat() {
  }

  /** The framed record, ready to write; fails with INVALID_MESSAGE if it exceeds {@code maxRecordBytes}. */
  static ByteBuffer encode(long position, JournalEvent event, int maxRecordBytes) {
    byte kind;
    byte[] body;
    if (event.body() == null) {
      kind = BODY_NONE;
      body = new byte[0];
    } else if (event.body() instanceof JsonObject) {
      kind = BODY_JSON;
      body = ((JsonObject) event.body()).toBuffer().getBytes();
    } else {
      kind = BODY_BYTES;
      body = ((Buffer) event.body()).getBytes();
    }
    byte[] id = utf8(event.id(), "event id");
    byte[] type = utf8(event.type(), "event type");
    byte[][] headers = new byte[event.headers().size() * 2][];
    long size = (long) MIN_PAYLOAD + id.length + type.length + body.length;
    int i = 0;
    for (Map.Entry<String, String> header : event.headers().entrySet()) {
      headers[i] = utf8(header.getKey(), "header name");
      headers[i + 1] = utf8(header.getValue(), "header " + header.getKey());
      size += 4 + headers[i].length + headers[i + 1].length;
      i += 2;
    }
    if (size + FRAME_BYTES > maxRecordBytes) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, "event " + event.id() + " of type " + event.type()
          + " takes " + (size + FRAME_BYTES) + " bytes, more than the journal's maximum record size of "
          + maxRecordBytes);
    }
    ByteBuffer out = ByteBuffer.allocate(FRAME_BYTES + (int) size);
    out.putInt((int) size).putInt(0);
    out.putLong(position).putLong(event.timestampMillis()).put(kind);
    putString(out, id);
    putString(out, type);
    out.putShort((short) event.headers().size());
    for (byte[] part : headers) {
      putString(out, part);
    }
    out.putInt(body.length).put(body);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), FRAME_BYTES, (int) size);
    out.putInt(4, (int) crc.getValue());
    out.flip();
    return out;
  }

  private static byte[] utf8(String value, String what) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > 0xFFFF) {
      throw new CommBusException(ErrorCode.INVALID_MESSAGE, what + " is longer than 65535 bytes");
    }
    return bytes;
  }

  private static void putString(ByteBuffer out, byte[] bytes) {
    out.putShort((short) bytes.length).put(bytes);
  }

  /** Whether the CRC in the frame matches the payload that follows it. */
  static boolean crcMatches(byte[] payload, int offset, int length, int expected) {
    CRC32C crc = new CRC32C();
    crc.update(payload, offset, length);
    return (int) crc.getValue() == expected;
  }

  /**
   * Whether a payload's fields fill exactly its length: a known body kind, and every string,
   * the header count and the body length inside the payload. Reads a few lengths only, so every
   * walk and every read can afford it; a payload that passes decodes.
   */
  static boolean wellFormed(byte[] payload, int offset, int length) {
    if (length < MIN_PAYLOAD || payload[offset + 16] < BODY_NONE || payload[offset + 16] > BODY_BYTES) {
      return false;
    }
    long end = (long) offset + length;
    long at = offset + 17L;
    for (int i = 0; i < 2; i++) {   // id, type
      at = skipString(payload, at, end);
    }
    if (at < 0 || at + 2 > end) {
      return false;
    }
    int headers = unsignedShort(payload, (int) at);
    at += 2;
    for (int i = 0; i < 2 * headers && at >= 0; i++) {
      at = skipString(payload, at, end);
    }
    if (at < 0 || at + 4 > end) {
      return false;
    }
    long bodyLength = Integer.toUnsignedLong(ByteBuffer.wrap(payload, (int) at, 4).getInt());
    return at + 4 + bodyLength == end;
  }

  /** Where the string at {@code at} ends, or -1 if it does not fit before {@code end}. */
  private static long skipString(byte[] payload, long at, long end) {
    if (at < 0 || at + 2 > end) {
      return -1;
    }
    long next = at + 2 + unsignedShort(payload, (int) at);
    return next > end ? -1 : next;
  }

  private static int unsignedShort(byte[] payload, int at) {
    return (payload[at] & 0xFF) << 8 | payload[at + 1] & 0xFF;
  }

  /** The position stored at the start of a payload. */
  static long position(byte[] payload, int offset) {
    return ByteBuffer.wrap(payload, offset, 8).getLong();
  }

  /** The timestamp (epoch ms) stored after the position. */
  static long timestamp(byte[] payload, int offset) {
    return ByteBuffer.wrap(payload, offset + 8, 8).getLong();
  }

  /** Decodes a payload whose CRC was checked; fails with STORAGE on a malformed payload. */
  static JournalRecord decode(byte[] payload, int offset, int length) {
    try {
      ByteBuffer in = ByteBuffer.wrap(payload, offset, length);
      long position = in.getLong();
      long timestamp = in.getLong();
      byte kind = in.get();
      String id = getString(in);
      String type = getString(in);
      int headerCount = Short.toUnsignedInt(in.getShort());
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 0; i < headerCount; i++) {
        headers.put(getString(in), getString(in));
      }
      byte[] body = new byte[in.getInt()];
      in.get(body);
      Object value = kind == BODY_NONE ? null : kind == BODY_JSON ? new JsonObject(Buffer.buffer(body))
          : Buffer.buffer(body);
      return new JournalRecord(position, new JournalEvent(id, type, timestamp, headers, value));
    } catch (RuntimeException e) {
      throw new CommBusException(ErrorCode.STORAGE, "malformed journal record: " + e.getMessage(), e);
    }
  }

  /** The type of a payload, without decoding the rest. */
  static String type(byte[] payload, int offset) {
    ByteBuffer in = ByteBuffer.wrap(payload, offset + 17, 2);
    int idLength = Short.toUnsignedInt(in.getShort());
    ByteBuffer typeAt = ByteBuffer.wrap(payload, offset + 19 + idLength, 2);
    int typeLength = Short.toUnsignedInt(typeAt.getShort());
    return new String(payload, offset + 21 + idLength, typeLength, StandardCharsets.UTF_8);
  }

  private static String getString(ByteBuffer in) {
    int length = Short.toUnsignedInt(in.getShort());
    String value = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return value;
  }
}
