package io.commbus.testhosts;

import java.util.Objects;
import java.util.regex.Pattern;

/** How many hosts a {@link TestNetwork} has and how they are addressed; every setting has a default. */
public final class TestNetworkOptions {

  /** The /24 the hosts live in; private, and reached only inside the network's own namespaces. */
  public static final String DEFAULT_SUBNET = "10.77.0";
  /** The last octet of host 1; host n gets {@code firstHost + n - 1}. */
  public static final int DEFAULT_FIRST_HOST = 11;
  public static final int DEFAULT_HOSTS = 3;
  public static final int MAX_HOSTS = 100;

  private static final Pattern SUBNET = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  private int hosts = DEFAULT_HOSTS;
  private String subnet = DEFAULT_SUBNET;
  private int firstHost = DEFAULT_FIRST_HOST;

  public int getHosts() {
    return hosts;
  }

  public TestNetworkOptions setHosts(int hosts) {
    if (hosts < 1 || hosts > MAX_HOSTS) {
      throw new IllegalArgumentException("hosts must be from 1 to " + MAX_HOSTS + ", was " + hosts);
    }
    this.hosts = hosts;
    return this;
  }

  /** The first three octets of the hosts' addresses (default {@value #DEFAULT_SUBNET}), a /24. */
  public String getSubnet() {
    return subnet;
  }

  public TestNetworkOptions setSubnet(String subnet) {
    Objects.requireNonNull(subnet, "subnet");
    var matcher = SUBNET.matcher(subnet);
    if (!matcher.matches() || Integer.parseInt(matcher.group(1)) != 10) {
      // Only 10/8: an address a test host holds must never be one of a real network this machine could reach.
      throw new IllegalArgumentException("subnet must be three octets in 10.0.0.0/8, like 10.77.0; was " + subnet);
    }
    for (int i = 2; i <= 3; i++) {
      if (Integer.parseInt(matcher.group(i)) > 255) {
        throw new IllegalArgumentException("subnet has an octet over 255: " + subnet);
      }
    }
    this.subnet = subnet;
    return this;
  }

  public int getFirstHost() {
    return firstHost;
  }

  public TestNetworkOptions setFirstHost(int firstHost) {
    if (firstHost < 1 || firstHost > 254) {
      throw new IllegalArgumentException("firstHost must be from 1 to 254, was " + firstHost);
    }
    this.firstHost = firstHost;
    return this;
  }

  /** The address of host {@code n} (1-based). */
  String address(int n) {
    int octet = firstHost + n - 1;
    if (octet > 254) {
      throw new IllegalArgumentException(hosts + " hosts from ." + firstHost + " do not fit in " + subnet + ".0/24");
    }
    return subnet + "." + octet;
  }
}
