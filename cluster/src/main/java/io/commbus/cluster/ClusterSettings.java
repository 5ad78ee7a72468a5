package io.commbus.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a node joins a Hazelcast cluster: TCP-IP join to a fixed member list, multicast off.
 * Defaults keep every address on loopback (127.0.0.1).
 */
public final class ClusterSettings {

  /** The lowest port a member may listen on. */
  public static final int MIN_PORT = 1;
  /** The highest port a member may listen on. */
  public static final int MAX_PORT = 65535;

  private String clusterName = "commbus";
  private String host = "127.0.0.1";
  private int port = 5701;
  private List<String> members = new ArrayList<>(List.of("127.0.0.1"));

  /** Nodes only join others with the same name (default {@code commbus}). */
  public String getClusterName() {
    return clusterName;
  }

  public ClusterSettings setClusterName(String clusterName) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    return this;
  }

  /** The interface Hazelcast and the event bus bind to (default 127.0.0.1). */
  public String getHost() {
    return host;
  }

  public ClusterSettings setHost(String host) {
    this.host = Objects.requireNonNull(host, "host");
    return this;
  }

  /** The first Hazelcast port tried; the next free one of the following 20 is used (default 5701). */
  public int getPort() {
    return port;
  }

  public ClusterSettings setPort(int port) {
    if (port < MIN_PORT || port > MAX_PORT) {
      throw new IllegalArgumentException("port must be " + MIN_PORT + ".." + MAX_PORT + ", was " + port);
    }
    this.port = port;
    return this;
  }

  /** Where to look for other members, as {@code host} or {@code host:port} (default 127.0.0.1). */
  public List<String> getMembers() {
    return members;
  }

  public ClusterSettings setMembers(List<String> members) {
    this.members = new ArrayList<>(Objects.requireNonNull(members, "members"));
    return this;
  }
}
