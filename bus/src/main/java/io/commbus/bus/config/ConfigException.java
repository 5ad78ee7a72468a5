package io.commbus.bus.config;

/**
 * A configuration that cannot work. The message starts with the field it is about, as a
 * path into the file ({@code pools[0].size: must be at least 1}), so the user knows where to look.
 */
public final class ConfigException extends IllegalArgumentException {

  private final String field;

  public ConfigException(String field, String problem) {
    super(field.isEmpty() ? problem : field + ": " + problem);
    this.field = field;
  }

  public ConfigException(String field, String problem, Throwable cause) {
    super(field.isEmpty() ? problem : field + ": " + problem, cause);
    this.field = field;
  }

  /** The path of the field ({@code pools[0].size}); empty for the file as a whole. */
  public String field() {
    return field;
  }
}
