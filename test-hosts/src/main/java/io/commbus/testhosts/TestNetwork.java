package io.commbus.testhosts;

import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several hosts on one machine: one Linux network namespace per host, each with a veth pair
 * whose other end is a port of a bridge that lives in a namespace of its own. Nothing is made
 * in the machine's own namespace: no interface, no route out, no NAT, so a host reaches the
 * other hosts and its own loopback, and no other address. Needs root (iproute2's
 * {@code ip netns}).
 *
 * <p>Every namespace is named {@code cbh-<pid>-<random>-...}, the pid being this JVM's: {@link
 * #start} first removes the namespaces (and the processes in them) of runs whose JVM is gone, so
 * a crashed run leaves nothing behind for long, while another run going on beside this one
 * keeps its own. {@link #close} kills every process inside the hosts and deletes the
 * namespaces, which deletes their veths and the bridge; a shutdown hook does the same if the JVM
 * exits without it.
 */
public final class TestNetwork implements AutoCloseable {

  /** The prefix of every namespace the harness makes; {@link #removeStale} looks for nothing else. */
  public static final String PREFIX = "cbh-";
  /** The bridge, inside the bridge namespace. */
  static final String BRIDGE = "br0";
  /** A host's end of its veth pair, inside the host namespace. */
  static final String HOST_INTERFACE = "eth0";

  private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[0-9a-f]+-[a-z0-9]+");

  private final String id;
  private final String bridgeNamespace;
  private final List<TestHost> hosts = new ArrayList<>();
  private final List<String> namespaces = new ArrayList<>();
  private final Thread cleanupOnExit = new Thread(this::removeAll, "test-network-cleanup");
  /** Guarded by {@code this}: {@link #close} and the shutdown hook may race. */
  private boolean closed;

  private TestNetwork(String id) {
    this.id = id;
    this.bridgeNamespace = id + "-br";
  }

  /** Three hosts at 10.77.0.11 to .13. */
  public static TestNetwork start() {
    return start(new TestNetworkOptions());
  }

  /**
   * Makes the bridge and the hosts, each with its address on {@code eth0} and loopback up.
   *
   * @throws NamespacesUnavailableException when this machine lets the harness make no namespace
   */
  public static TestNetwork start(TestNetworkOptions options) {
    removeStale();
    byte[] random = new byte[3];
    new SecureRandom().nextBytes(random);
    TestNetwork network = new TestNetwork(PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random));
    Runtime.getRuntime().addShutdownHook(network.cleanupOnExit);
    try {
      network.build(options);
      return network;
    } catch (RuntimeException e) {
      try {
        network.close();
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  private void build(TestNetworkOptions options) {
    addNamespace(bridgeNamespace);
    ip(bridgeNamespace, "link", "set", "lo", "up");
    ip(bridgeNamespace, "link", "add", BRIDGE, "type", "bridge");
    ip(bridgeNamespace, "link", "set", BRIDGE, "up");
    for (int n = 1; n <= options.getHosts(); n++) {
      String namespace = id + "-h" + n;
      String port = "h" + n;
      String address = options.address(n);
      addNamespace(namespace);
      // Both ends are made inside the network's namespaces, so their names cannot clash with the machine's.
      ip(bridgeNamespace, "link", "add", port, "type", "veth", "peer", "name", HOST_INTERFACE, "netns", namespace);
      ip(bridgeNamespace, "link", "set", port, "master", BRIDGE);
      ip(bridgeNamespace, "link", "set", port, "up");
      ip(namespace, "addr", "add", address + "/24", "dev", HOST_INTERFACE);
      ip(namespace, "link", "set", HOST_INTERFACE, "up");
      ip(namespace, "link", "set", "lo", "up");
      hosts.add(new TestHost(n, "host" + n, namespace, address));
    }
  }

  private void addNamespace(String namespace) {
    SystemCommand added;
    try {
      added = SystemCommand.run("ip", "netns", "add", namespace);
    } catch (UncheckedIOException e) {
      throw new NamespacesUnavailableException("cannot run iproute2's ip to make the test hosts: " + e.getMessage(), e);
    }
    if (!added.succeeded()) {
      throw new NamespacesUnavailableException("cannot make the network namespace " + namespace + " for a test host:"
          + " the multi-host tests need root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; " + added.describe(),
          null);
    }
    namespaces.add(namespace);
  }

  private static void ip(String namespace, String... args) {
    List<String> command = new ArrayList<>(List.of("ip", "-n", namespace));
    command.addAll(List.of(args));
    SystemCommand.run(SystemCommand.SHORT, command).check();
  }

  /** This run's prefix, {@code cbh-<pid>-<random>}; every namespace of the network starts with it. */
  public String id() {
    return id;
  }

  /** The hosts, host 1 first. */
  public List<TestHost> hosts() {
    return List.copyOf(hosts);
  }

  /** Host {@code n}, counted from 1. */
  public TestHost host(int n) {
    if (n < 1 || n > hosts.size()) {
      throw new IllegalArgumentException("there are hosts 1 to " + hosts.size() + ", not " + n);
    }
    return hosts.get(n - 1);
  }

  /** The addresses of every host, host 1 first: a member list. */
  public List<String> addresses() {
    return hosts.stream().map(TestHost::address).toList();
  }

  /** Takes the bridge's end of the host's link down: the host reaches no other host, and none reaches it. */
  public void cut(TestHost host) {
    ip(bridgeNamespace, "link", "set", "h" + host.index(), "down");
  }

  /** Brings a cut link up again. */
  public void heal(TestHost host) {
    ip(bridgeNamespace, "link", "set", "h" + host.index(), "up");
  }

  /** Kills every process in the hosts and deletes the namespaces; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException e) {
      // The JVM is exiting: the hook runs this anyway.
    }
    List<String> failures = removeAll();
    if (!failures.isEmpty()) {
      throw new IllegalStateException("the test network " + id + " was not removed whole: " + String.join("; ", failures));
    }
  }

  private synchronized List<String> removeAll() {
    List<String> failures = new ArrayList<>();
    // Hosts first, then the bridge; deleting a namespace deletes the interfaces in it and their veth peers.
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      remove(namespaces.get(i)).ifPresent(failures::add);
    }
    namespaces.clear();
    return failures;
  }

  /**
   * Removes the namespaces of earlier runs whose JVM is no longer alive, with the processes in
   * them. Returns the names removed.
   */
  public static List<String> removeStale() {
    SystemCommand list;
    try {
      list = SystemCommand.run("ip", "netns", "list");
    } catch (UncheckedIOException e) {
      return List.of();   // no ip: nothing can have been left, and start() says what is missing
    }
    if (!list.succeeded()) {
      return List.of();
    }
    List<String> removed = new ArrayList<>();
    for (String line : list.lines()) {
      String name = line.split(" ", 2)[0];
      Matcher matcher = OURS.matcher(name);
      if (matcher.matches() && !alive(Long.parseLong(matcher.group(1)))) {
        remove(name);
        removed.add(name);
      }
    }
    return removed;
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Kills what runs in the namespace, then deletes it; the failure, if any, as a sentence. */
  private static Optional<String> remove(String namespace) {
    SystemCommand pids = SystemCommand.run("ip", "netns", "pids", namespace);
    if (pids.succeeded()) {
      for (String pid : pids.lines()) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    SystemCommand deleted = SystemCommand.run("ip", "netns", "delete", namespace);
    return deleted.succeeded() ? Optional.empty() : Optional.of(deleted.describe());
  }

  @Override
  public String toString() {
    return "TestNetwork " + id + " " + addresses();
  }
}
