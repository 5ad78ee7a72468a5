package io.commbus.bus.journal.file;

import io.commbus.bus.config.InvalidSettingException;

import java.time.Duration;
import java.util.Objects;

/**
 * When appended records are forced to disk. {@code always} (the default) forces each group of
 * appends before acknowledging them; {@code interval:<ms>} acknowledges after the write and
 * forces at most that often; {@code never} leaves it to the operating system.
 */
public final class FsyncPolicy {

  /** How records reach the disk. */
  public enum Mode { ALWAYS, INTERVAL, NEVER }

  public static final FsyncPolicy ALWAYS = new FsyncPolicy(Mode.ALWAYS, Duration.ZERO);
  public static final FsyncPolicy NEVER = new FsyncPolicy(Mode.NEVER, Duration.ZERO);

  private final Mode mode;
  private final Duration interval;

  private FsyncPolicy(Mode mode, Duration interval) {
    this.mode = mode;
    this.interval = interval;
  }

  public static FsyncPolicy interval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("an fsync interval must be positive, was " + interval);
    }
    return new FsyncPolicy(Mode.INTERVAL, interval);
  }

  /** Parses {@code always}, {@code never} or {@code interval:<ms>}. */
  public static FsyncPolicy parse(String text) {
    if (text == null) {
      throw new InvalidSettingException("fsync", "must be always, never or interval:<ms>");
    }
    String value = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (value.equals("always")) {
      return ALWAYS;
    }
    if (value.equals("never")) {
      return NEVER;
    }
    if (value.startsWith("interval:")) {
      try {
        return interval(Duration.ofMillis(Long.parseLong(value.substring("interval:".length()))));
      } catch (NumberFormatException e) {
        throw new InvalidSettingException("fsync", "must be always, never or interval:<ms> (whole milliseconds),"
            + " was \"" + text + "\"");
      }
    }
    throw new InvalidSettingException("fsync", "must be always, never or interval:<ms>, was \"" + text + "\"");
  }

  public Mode mode() {
    return mode;
  }

  public Duration interval() {
    return interval;
  }

  @Override
  public String toString() {
    return mode == Mode.INTERVAL ? "interval:" + interval.toMillis() : mode.name().toLowerCase(java.util.Locale.ROOT);
  }
}
