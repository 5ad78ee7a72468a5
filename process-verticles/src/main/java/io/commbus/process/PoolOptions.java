package io.commbus.process;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;

import java.util.regex.Pattern;

/**
 * A pool: N children of one kind behind one bus message type. Requests go to the child with the
 * fewest in flight. Each setter states its bound and refuses what is out of it with an
 * {@link InvalidSettingException} naming the setting.
 */
public class PoolOptions {

  /** The most children one pool runs. */
  public static final int MAX_SIZE = 1024;

  /** Names go into child ids ({@code name#0}), events and metric labels. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private String name;
  private String type;
  private int size = 1;
  private boolean lifecycleEvents = true;

  public PoolOptions() {
  }

  public PoolOptions(String name) {
    setName(name);
  }

  /** The pool's name, used in child ids ({@code name#0}) and events: letters, digits, '_', '.' and '-'. */
  public String getName() {
    return name;
  }

  public PoolOptions setName(String name) {
    if (!NAME.matcher(Check.notBlank("name", name)).matches()) {
      throw new InvalidSettingException("name", "may only use letters, digits, '_', '.' and '-', was \"" + name + "\"");
    }
    this.name = name;
    return this;
  }

  /** The bus message type the pool answers; default: its name. */
  public String getType() {
    return type != null ? type : name;
  }

  /** The type to answer; null goes back to the default, the pool's name. */
  public PoolOptions setType(String type) {
    this.type = type == null ? null : Check.notBlank("type", type);
    return this;
  }

  /** How many children run; default 1, at most {@link #MAX_SIZE}. */
  public int getSize() {
    return size;
  }

  public PoolOptions setSize(int size) {
    this.size = checkSize(size);
    return this;
  }

  /** {@code size}, if a pool can run that many children. */
  static int checkSize(int size) {
    return Check.between("size", size, 1, MAX_SIZE);
  }

  /** Whether child starts, exits, restarts and give-ups are published as bus events; default true. */
  public boolean isLifecycleEvents() {
    return lifecycleEvents;
  }

  public PoolOptions setLifecycleEvents(boolean lifecycleEvents) {
    this.lifecycleEvents = lifecycleEvents;
    return this;
  }

  /**
   * Takes the settings {@code section} holds: {@code name} (required unless already set),
   * {@code type}, {@code size} and {@code lifecycleEvents}; the others keep their values.
   */
  public PoolOptions readFrom(ConfigSection section) {
    section.applyString("name", this::setName);
    section.require("name", name, "the pool's name, used in child ids and events");
    section.applyString("type", this::setType);
    section.applyInt("size", this::setSize);
    section.applyBool("lifecycleEvents", this::setLifecycleEvents);
    return this;
  }

  /** Fails when the options cannot work: a pool made without a name. */
  public void validate() {
    if (name == null) {
      throw new IllegalArgumentException("name: a pool needs a name");
    }
  }
}
