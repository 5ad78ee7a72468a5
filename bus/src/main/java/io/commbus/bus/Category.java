package io.commbus.bus;

/** What a message asks of the bus, and so how it is delivered. */
public enum Category {
  /** Something that happened: published to every subscriber. */
  EVENT,
  /** Something to do: sent to exactly one handler, no reply. */
  COMMAND,
  /** A question: sent to exactly one handler, which replies with a value or a stream. */
  QUERY;

  private final String wireName = name().toLowerCase(java.util.Locale.ROOT);

  /** The lower-case wire name ({@code event}, {@code command}, {@code query}). */
  public String wireName() {
    return wireName;
  }

  /** The bus verb that carries this category: {@code publish}, {@code send} or {@code query}. */
  public String verb() {
    switch (this) {
      case EVENT:
        return "publish";
      case COMMAND:
        return "send";
      default:
        return "query";
    }
  }

  /** Parses a wire name; {@code null} for anything else. */
  public static Category fromWireName(String name) {
    if (name == null) {
      return null;
    }
    switch (name) {
      case "event":
        return EVENT;
      case "command":
        return COMMAND;
      case "query":
        return QUERY;
      default:
        return null;
    }
  }
}
