package io.commbus.bus.impl;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Message ids and trace ids. Random UUIDs from a thread-local generator: unique enough for
 * message ids and far cheaper than {@link UUID#randomUUID()}'s secure random on a hot path.
 */
final class Ids {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private Ids() {
  }

  static String messageId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** A new W3C traceparent for a call made outside any trace. */
  static String traceparent() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[55];
    "00-".getChars(0, 3, out, 0);
    hex(random.nextLong() | 1L, out, 3);
    hex(random.nextLong(), out, 19);
    out[35] = '-';
    hex(random.nextLong() | 1L, out, 36);
    out[52] = '-';
    out[53] = '0';
    out[54] = '1';
    return new String(out);
  }

  private static void hex(long value, char[] out, int at) {
    for (int i = 15; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
