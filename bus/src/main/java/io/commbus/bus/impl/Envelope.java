package io.commbus.bus.impl;

import io.commbus.bus.Category;
import io.commbus.bus.internal.Wire;

/**
 * The bus's own header, {@value Wire#ENVELOPE}: category, id, send time, deadline and type in
 * one value, {@code "<category> <id> <sent-ms> <deadline-ms or -> <type>"}, times as epoch
 * milliseconds in lower-case hex. One header instead of five matters: the event bus copies
 * every header of every local delivery; hex is cheaper to write and read than decimal.
 */
final class Envelope {

  final Category category;
  final String id;
  final long sentMillis;
  /** Zero when there is no deadline. */
  final long deadlineMillis;
  final String type;

  Envelope(Category category, String id, long sentMillis, long deadlineMillis, String type) {
    this.category = category;
    this.id = id;
    this.sentMillis = sentMillis;
    this.deadlineMillis = deadlineMillis;
    this.type = type;
  }

  String format() {
    return category.wireName() + ' ' + id + ' ' + Long.toHexString(sentMillis) + ' '
        + (deadlineMillis > 0 ? Long.toHexString(deadlineMillis) : "-") + ' ' + type;
  }

  /** The envelope in a header value, or null if it is malformed. */
  static Envelope parse(String value) {
    if (value == null) {
      return null;
    }
    int a = value.indexOf(' ');
    int b = a < 0 ? -1 : value.indexOf(' ', a + 1);
    int c = b < 0 ? -1 : value.indexOf(' ', b + 1);
    int d = c < 0 ? -1 : value.indexOf(' ', c + 1);
    if (d < 0 || d == value.length() - 1) {
      return null;
    }
    Category category = Category.fromWireName(value.substring(0, a));
    if (category == null) {
      return null;
    }
    try {
      long sent = Long.parseLong(value, b + 1, c, 16);
      long deadline = value.charAt(c + 1) == '-' ? 0 : Long.parseLong(value, c + 1, d, 16);
      return new Envelope(category, value.substring(a + 1, b), sent, deadline, value.substring(d + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
