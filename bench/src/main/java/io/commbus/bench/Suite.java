package io.commbus.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The benchmark suites, by the name the command line uses. */
public enum Suite {
  PUBLISH("publish"),
  SEND("send"),
  QUERY("query"),
  LATENCY("latency"),
  JOURNAL("journal"),
  DISPATCH("dispatch"),
  PROCESS("process"),
  CLIENTS("clients"),
  PIPELINE("pipeline");

  private final String cliName;

  Suite(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  /** The suite with this command-line name; fails with the list of valid names otherwise. */
  public static Suite named(String name) {
    for (Suite suite : values()) {
      if (suite.cliName.equals(name)) {
        return suite;
      }
    }
    throw new IllegalArgumentException("unknown suite '" + name + "' (expected one of "
        + Arrays.stream(values()).map(Suite::cliName).collect(Collectors.joining(", ")) + ")");
  }
}
