package io.commbus.bus.config;

/**
 * A setting given a value it cannot take. Thrown by the options classes' setters, which are
 * the one place each bound is stated; {@link ConfigSection} turns it into a
 * {@link ConfigException} that names the field's path in the configuration file.
 */
public final class InvalidSettingException extends IllegalArgumentException {

  private final String setting;
  private final String problem;

  public InvalidSettingException(String setting, String problem) {
    super(setting + ": " + problem);
    this.setting = setting;
    this.problem = problem;
  }

  /** The setting's name, as the options class and the configuration file spell it. */
  public String setting() {
    return setting;
  }

  /** What is wrong, without the name ({@code must be at least 1, was 0}). */
  public String problem() {
    return problem;
  }
}
