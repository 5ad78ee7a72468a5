package io.commbus.bus.middleware;

import io.commbus.bus.Category;

import java.time.Instant;
import java.util.Map;

/**
 * What middleware knows about one call. {@link #metadata()} is mutable and travels with the
 * message as headers, so middleware can tag a call for its handler.
 */
public final class MiddlewareContext {

  private final String id;
  private final String type;
  private final Category category;
  private final Instant timestamp;
  private final Map<String, String> metadata;
  private Object message;

  public MiddlewareContext(String id, String type, Category category, Instant timestamp, Map<String, String> metadata,
                           Object message) {
    this.id = id;
    this.type = type;
    this.category = category;
    this.timestamp = timestamp;
    this.metadata = metadata;
    this.message = message;
  }

  /** The id the message will carry. */
  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public Category category() {
    return category;
  }

  /** When the call was made. */
  public Instant timestamp() {
    return timestamp;
  }

  /** Headers that travel with the message; keys must not start with {@code cb-}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The message as it currently stands (after any replacement by earlier middleware). */
  public Object message() {
    return message;
  }

  /** Records a replacement message; used by the chain. */
  public void message(Object replacement) {
    this.message = replacement;
  }
}
