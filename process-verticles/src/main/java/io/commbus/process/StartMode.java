package io.commbus.process;

import java.util.Locale;

/** How a pool starts its children. */
public enum StartMode {
  /** Each child is a new process from the command: safe for any program, and pays its imports each time. */
  SPAWN,
  /**
   * A template process per pool imports the SDK and the entry module once, then forks each
   * child from it: a resize or a restart is ready in milliseconds. Python only; the entry module
   * must not start threads or call the bus at import time (see docs/process.md, "Fork mode").
   */
  FORK;

  /** The name configuration uses: {@code spawn}, {@code fork}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode spelled {@code name} (any case); null when there is none. */
  public static StartMode fromWireName(String name) {
    for (StartMode mode : values()) {
      if (mode.wireName().equalsIgnoreCase(name)) {
        return mode;
      }
    }
    return null;
  }
}
