package io.commbus.process.pipeline;

import java.util.Locale;

/** What a session does when one of its nodes dies. */
public enum FailurePolicy {
  /** The session ends, naming the node and the cause; its outputs end with that error. The default. */
  TERMINATE,
  /** The node is started again; the items in flight on its channels are lost, and counted. */
  RESTART;

  /** The name a spec uses: {@code terminate}, {@code restart}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The policy spelled {@code name} (any case); null when there is none. */
  public static FailurePolicy fromWireName(String name) {
    for (FailurePolicy policy : values()) {
      if (policy.wireName().equalsIgnoreCase(name)) {
        return policy;
      }
    }
    return null;
  }
}
