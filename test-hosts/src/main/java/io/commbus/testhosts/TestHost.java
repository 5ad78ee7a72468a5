package io.commbus.testhosts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One host of a {@link TestNetwork}: a network namespace with loopback and one address on the
 * network's bridge. Commands run inside it with {@code ip netns exec}, which executes the
 * command itself (no shell, no intermediate process), so the process handle is the command's.
 * The file system, users and pids are the machine's: only the network is the host's own.
 */
public final class TestHost {

  private final int index;
  private final String name;
  private final String namespace;
  private final String address;

  TestHost(int index, String name, String namespace, String address) {
    this.index = index;
    this.name = name;
    this.namespace = namespace;
    this.address = address;
  }

  /** Its number in the network, from 1. */
  public int index() {
    return index;
  }

  /** {@code host1}, {@code host2}, ...: for messages and file names. */
  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  /** Its address on the bridge, e.g. {@code 10.77.0.11}. */
  public String address() {
    return address;
  }

  /** {@code command}, prefixed to run inside this host. */
  public List<String> inside(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    full.addAll(command);
    return full;
  }

  /** Starts a long-running command inside the host, its output captured line by line. */
  public HostProcess start(List<String> command) {
    return start(command, Map.of(), null);
  }

  /**
   * Starts a command inside the host with extra environment variables, in {@code directory}
   * (the current one when null). Close the returned process, or the network, to kill it.
   */
  public HostProcess start(List<String> command, Map<String, String> environment, Path directory) {
    ProcessBuilder builder = new ProcessBuilder(inside(command)).redirectErrorStream(true);
    builder.environment().putAll(environment);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    try {
      return new HostProcess(this, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", command) + " on " + name + ": " + e.getMessage(), e);
    }
  }

  /** Runs a command inside the host to its end (killed after {@code timeout}). */
  public SystemCommand run(Duration timeout, List<String> command) {
    return SystemCommand.run(timeout, inside(command));
  }

  @Override
  public String toString() {
    return name + " (" + address + ", netns " + namespace + ")";
  }
}
