package io.commbus.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The addresses a start binds and advertises, worked out from the settings before Hazelcast
 * is asked for anything: the host (a name is resolved, since Hazelcast matches interfaces by
 * address only), and the check that a loopback host is not meant to reach other machines,
 * which would otherwise hang the start in connection attempts that cannot leave this host.
 * Resolving names blocks, so {@link ClusteredVertx} runs this on a thread of its own.
 */
record ClusterAddresses(String bindAddress, String advertisedHost) {

  static ClusterAddresses resolve(ClusterSettings settings) {
    InetAddress bound;
    try {
      bound = InetAddress.getByName(settings.getHost());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cluster host \"" + settings.getHost() + "\" cannot be resolved: "
          + e.getMessage(), e);
    }
    if (bound.isLoopbackAddress()) {
      String remote = firstRemoteMember(settings.getMembers());
      if (remote != null) {
        throw new IllegalArgumentException("cluster host " + settings.getHost() + " is a loopback address, and member "
            + remote + " is on another machine, which cannot reach this node nor be reached from it; set the cluster "
            + "host to this machine's address on the network the members share");
      }
    }
    String address = bound.getHostAddress();
    return new ClusterAddresses(address, settings.advertisedHost(address));
  }

  /** The first member whose host resolves to an address that is not loopback; null when there is none. */
  private static String firstRemoteMember(List<String> members) {
    for (String member : members) {
      try {
        if (!InetAddress.getByName(hostOf(member)).isLoopbackAddress()) {
          return member;
        }
      } catch (UnknownHostException e) {
        // Hazelcast tries a name again at each join attempt; one that does not resolve now says nothing of where it is.
      }
    }
    return null;
  }

  /** {@code host} of {@code host} or {@code host:port}; an IPv6 literal in brackets loses them. */
  static String hostOf(String member) {
    String trimmed = member.trim();
    if (trimmed.startsWith("[")) {
      int end = trimmed.indexOf(']');
      return end < 0 ? trimmed : trimmed.substring(1, end);
    }
    int colon = trimmed.indexOf(':');
    // More than one colon without brackets: an IPv6 literal with no port.
    return colon < 0 || trimmed.indexOf(':', colon + 1) >= 0 ? trimmed : trimmed.substring(0, colon);
  }
}
