package io.commbus.bus.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people write them in configuration and on command lines: {@code 250ms},
 * {@code 30s}, {@code 2m}, {@code 1h}, or a bare whole number of milliseconds.
 */
public final class Durations {

  private static final Pattern TEXT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private Durations() {
  }

  /** The duration, or an {@link IllegalArgumentException} saying what is accepted. */
  public static Duration parse(String text) {
    Matcher matcher = TEXT.matcher(text == null ? "" : text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("a duration like 500ms, 30s, 2m or 1h, or a whole number of milliseconds;"
          + " was \"" + text + "\"");
    }
    long amount;
    try {
      amount = Long.parseLong(matcher.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a duration that fits in 64 bits; was \"" + text + "\"");
    }
    String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
    switch (unit) {
      case "h":
        return Duration.ofHours(amount);
      case "m":
        return Duration.ofMinutes(amount);
      case "s":
        return Duration.ofSeconds(amount);
      default:
        return Duration.ofMillis(amount);
    }
  }

  /** {@code duration} as {@link #parse} reads it, in the largest unit it is a whole number of ({@code 1h}, {@code 90s}). */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis != 0 && millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis != 0 && millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }
}
