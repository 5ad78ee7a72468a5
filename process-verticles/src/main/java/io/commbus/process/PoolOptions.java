package io.commbus.process;

import java.util.Objects;

/**
 * A pool: N children of one kind behind one bus message type. Requests go to the child with the
 * fewest in flight.
 */
public class PoolOptions {

  private String name;
  private String type;
  private int size = 1;
  private boolean lifecycleEvents = true;

  public PoolOptions() {
  }

  public PoolOptions(String name) {
    this.name = name;
  }

  /** The pool's name, used in child ids ({@code name#0}) and events. */
  public String getName() {
    return name;
  }

  public PoolOptions setName(String name) {
    this.name = name;
    return this;
  }

  /** The bus message type the pool answers; default: its name. */
  public String getType() {
    return type != null ? type : name;
  }

  public PoolOptions setType(String type) {
    this.type = type;
    return this;
  }

  /** How many children run; default 1. */
  public int getSize() {
    return size;
  }

  public PoolOptions setSize(int size) {
    this.size = size;
    return this;
  }

  /** Whether child starts, exits, restarts and give-ups are published as bus events; default true. */
  public boolean isLifecycleEvents() {
    return lifecycleEvents;
  }

  public PoolOptions setLifecycleEvents(boolean lifecycleEvents) {
    this.lifecycleEvents = lifecycleEvents;
    return this;
  }

  public void validate() {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: a pool needs a name");
    }
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("name: \"" + name + "\" may only use letters, digits, '_', '.' and '-'");
    }
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, was " + size);
    }
    Objects.requireNonNull(getType(), "type");
  }
}
