package io.commbus.testhosts;

/**
 * Run under {@code setpriv} without CAP_SYS_ADMIN and CAP_NET_ADMIN: tries to start a one-host
 * network and prints {@code unavailable: <message>} or {@code started}.
 */
public final class StartWithoutNamespaces {

  private StartWithoutNamespaces() {
  }

  public static void main(String[] args) {
    try (TestNetwork network = TestNetwork.start(new TestNetworkOptions().setHosts(1))) {
      System.out.println("started " + network);
    } catch (NamespacesUnavailableException e) {
      System.out.println("unavailable: " + e.getMessage());
    }
  }
}
