package io.commbus.testhosts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness on this machine: real namespaces, real veths, real processes. Needs root. */
@Timeout(120)
class TestNetworkTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int PORT = 7070;

  @Test
  void eachHostHasItsAddressAndARouteToTheOthersOnly() {
    try (TestNetwork network = TestNetwork.start(new TestNetworkOptions().setHosts(2))) {
      assertEquals(List.of("10.77.0.11", "10.77.0.12"), network.addresses());
      TestHost host = network.host(1);
      SystemCommand routes = host.run(WAIT, List.of("ip", "route", "show")).check();
      assertEquals(List.of("10.77.0.0/24 dev eth0 proto kernel scope link src 10.77.0.11"),
          routes.lines().stream().map(String::strip).toList(),
          "one route, to the bridge's subnet");
      // Asks the routing table only: no packet is sent.
      SystemCommand out = host.run(WAIT, List.of("ip", "route", "get", "192.0.2.1"));
      assertFalse(out.succeeded(), out.describe());
      assertTrue(out.output().contains("unreachable"), out.describe());
    }
  }

  @Test
  void aHostReachesAServerOnAnotherUntilItsLinkIsCut() throws Exception {
    try (TestNetwork network = TestNetwork.start(new TestNetworkOptions().setHosts(2));
         HostProcess server = network.host(2).start(java("serve", "10.77.0.12", String.valueOf(PORT)))) {
      server.awaitLine(Pattern.compile("listening"), WAIT);
      assertEquals("connected", connect(network.host(1), "10.77.0.12"));

      network.cut(network.host(2));
      String whileCut = connect(network.host(1), "10.77.0.12");
      assertTrue(whileCut.startsWith("unreachable"), whileCut);

      network.heal(network.host(2));
      assertEquals("connected", connect(network.host(1), "10.77.0.12"));
      // The machine's own loopback is not the host's: nothing listens on the host's.
      assertTrue(connect(network.host(1), "127.0.0.1").startsWith("unreachable"));
    }
  }

  @Test
  void closeKillsTheHostsProcessesAndDeletesTheNamespaces() throws Exception {
    TestNetwork network = TestNetwork.start(new TestNetworkOptions().setHosts(2));
    HostProcess sleeper = network.host(1).start(List.of("sleep", "600"));
    assertTrue(sleeper.isAlive());

    network.close();

    assertTrue(ProcessHandle.of(sleeper.pid()).map(p -> p.onExit().join()).map(p -> !p.isAlive()).orElse(true));
    assertEquals(List.of(), ours(network.id()), "no namespace of the network is left");
    network.close();
  }

  @Test
  void theNamespacesOfARunWhoseJvmIsGoneAreRemovedWithTheirProcesses() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String stale = TestNetwork.PREFIX + gone.pid() + "-abcdef-h1";
    SystemCommand.run("ip", "netns", "add", stale).check();
    Process sleeper = new ProcessBuilder("ip", "netns", "exec", stale, "sleep", "600").start();
    try {
      assertTrue(sleeper.isAlive());

      List<String> removed = TestNetwork.removeStale();

      assertTrue(removed.contains(stale), removed.toString());
      assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS), "the process inside was killed");
      assertEquals(List.of(), ours(TestNetwork.PREFIX + gone.pid() + "-"));
    } finally {
      sleeper.destroyForcibly();
      SystemCommand.run("ip", "netns", "delete", stale);
    }
  }

  @Test
  void withoutTheCapabilitiesStartFailsSayingWhatItNeeds() {
    List<String> command = new ArrayList<>(List.of("setpriv", "--bounding-set", "-sys_admin,-net_admin",
        "--inh-caps", "-sys_admin,-net_admin", "--"));
    command.addAll(java(StartWithoutNamespaces.class, List.of()));

    SystemCommand run = SystemCommand.run(WAIT, command).check();

    String line = run.lines().get(run.lines().size() - 1);
    assertTrue(line.startsWith("unavailable: cannot make the network namespace " + TestNetwork.PREFIX), run.describe());
    assertTrue(line.contains("need root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2"), line);
  }

  private static String connect(TestHost from, String address) {
    SystemCommand probe = from.run(WAIT, java("connect", address, String.valueOf(PORT), "1000")).check();
    return probe.output().strip();
  }

  private static List<String> java(String... args) {
    return java(TcpProbe.class, List.of(args));
  }

  private static List<String> java(Class<?> main, List<String> args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(args);
    return command;
  }

  private static List<String> ours(String prefix) {
    return SystemCommand.run("ip", "netns", "list").check().lines().stream()
        .filter(line -> line.startsWith(prefix)).toList();
  }
}
