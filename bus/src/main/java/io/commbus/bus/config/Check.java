package io.commbus.bus.config;

import java.time.Duration;

/**
 * The checks options setters make, worded once, so an options class and a configuration file
 * report a bad value the same way ({@code must be at least 1, was 0}).
 */
public final class Check {

  private Check() {
  }

  /** {@code value}, if it is longer than zero. */
  public static Duration positive(String setting, Duration value) {
    if (value == null) {
      throw new InvalidSettingException(setting, "must be set");
    }
    if (value.isZero() || value.isNegative()) {
      throw new InvalidSettingException(setting, "must be longer than zero, was " + value.toMillis() + " ms");
    }
    return value;
  }

  /** {@code value}, if it is longer than zero and no longer than {@code max}. */
  public static Duration positive(String setting, Duration value, Duration max) {
    positive(setting, value);
    if (value.compareTo(max) > 0) {
      throw new InvalidSettingException(setting, "must be at most " + max.toMillis() + " ms, was " + millis(value));
    }
    return value;
  }

  /** Milliseconds as the checks word them; a duration too long for a long says so. */
  private static String millis(Duration value) {
    try {
      return value.toMillis() + " ms";
    } catch (ArithmeticException e) {
      return "more than " + Long.MAX_VALUE + " ms";
    }
  }

  /** {@code value}, if it is zero or longer. */
  public static Duration notNegative(String setting, Duration value) {
    if (value == null) {
      throw new InvalidSettingException(setting, "must be set");
    }
    if (value.isNegative()) {
      throw new InvalidSettingException(setting, "must not be negative, was " + value.toMillis() + " ms");
    }
    return value;
  }

  /** {@code value}, if it lies in {@code [min, max]}. */
  public static int between(String setting, int value, int min, int max) {
    return (int) between(setting, (long) value, min, max);
  }

  /** {@code value}, if it lies in {@code [min, max]}. */
  public static long between(String setting, long value, long min, long max) {
    if (value < min) {
      throw new InvalidSettingException(setting, "must be at least " + min + ", was " + value);
    }
    if (value > max) {
      throw new InvalidSettingException(setting, "must be at most " + max + ", was " + value);
    }
    return value;
  }

  /** {@code value}, if it is at least {@code min}. */
  public static int atLeast(String setting, int value, int min) {
    return between(setting, value, min, Integer.MAX_VALUE);
  }

  /** {@code value}, if it is neither null nor blank. */
  public static String notBlank(String setting, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidSettingException(setting, "must not be empty");
    }
    return value;
  }
}
