package io.commbus.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a node joins a Hazelcast cluster: TCP-IP join to a fixed member list, multicast off.
 * Defaults keep every address on loopback (127.0.0.1). Each setter states its bounds (this
 * module uses no other commbus module, so they are worded here the way the configuration
 * checks word theirs: {@code must be at least 1 s, was 0 ms}); {@link #validate()} checks the
 * rule that spans two settings.
 */
public final class ClusterSettings {

  /** The lowest port a member may listen on. */
  public static final int MIN_PORT = 1;
  /** The highest port a member may listen on. */
  public static final int MAX_PORT = 65535;

  /** Heartbeats every second: on a LAN a heartbeat costs nothing, and a shorter one is not possible (Hazelcast counts seconds). */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MAX_HEARTBEAT_INTERVAL = Duration.ofSeconds(60);
  /**
   * A member silent for 10 s is taken out: ten heartbeats missed, which a GC pause or a busy
   * 2-core machine does not reach, while a dead host is noticed in 10 s rather than Hazelcast's 60 s.
   */
  public static final Duration DEFAULT_MAX_NO_HEARTBEAT = Duration.ofSeconds(10);
  public static final Duration MAX_MAX_NO_HEARTBEAT = Duration.ofMinutes(10);
  /** At least this many heartbeats fit in maxNoHeartbeat, so one late heartbeat never removes a member. */
  public static final int MIN_HEARTBEATS_PER_TIMEOUT = 2;
  /** After a start, the first look for another cluster of the same name to merge with (Hazelcast waits 300 s). */
  public static final Duration DEFAULT_MERGE_FIRST_RUN_DELAY = Duration.ofSeconds(10);
  /** Then every 5 s (Hazelcast waits 120 s), so two halves of a healed split are one cluster again within seconds. */
  public static final Duration DEFAULT_MERGE_NEXT_RUN_DELAY = Duration.ofSeconds(5);
  public static final Duration MAX_MERGE_DELAY = Duration.ofHours(1);
  /**
   * A start gives up after 30 s: a join on loopback takes about 4 s, and an unreachable member
   * costs one 5 s connection timeout, so a healthy start is well within it.
   */
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration MAX_JOIN_TIMEOUT = Duration.ofMinutes(10);
  /** One member (this one) is enough by default: someone has to be the first to start. */
  public static final int DEFAULT_MINIMUM_MEMBERS = 1;
  public static final int MAX_MINIMUM_MEMBERS = 1000;

  private String clusterName = "commbus";
  private String host = "127.0.0.1";
  private int port = 5701;
  private String publicHost;
  private int publicPort;
  private int eventBusPort;
  private int eventBusPublicPort;
  private List<String> members = new ArrayList<>(List.of("127.0.0.1"));
  private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
  private Duration maxNoHeartbeat = DEFAULT_MAX_NO_HEARTBEAT;
  private Duration mergeFirstRunDelay = DEFAULT_MERGE_FIRST_RUN_DELAY;
  private Duration mergeNextRunDelay = DEFAULT_MERGE_NEXT_RUN_DELAY;
  private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
  private int minimumMembers = DEFAULT_MINIMUM_MEMBERS;

  /** Nodes only join others with the same name (default {@code commbus}). */
  public String getClusterName() {
    return clusterName;
  }

  public ClusterSettings setClusterName(String clusterName) {
    this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    return this;
  }

  /**
   * The address Hazelcast and the event bus bind to (default 127.0.0.1): an IP address, or a
   * host name, which is resolved at the start and the interface of its address bound.
   */
  public String getHost() {
    return host;
  }

  public ClusterSettings setHost(String host) {
    this.host = notBlank(Objects.requireNonNull(host, "host"));
    return this;
  }

  /** The first Hazelcast port tried; the next free one of the following 20 is used (default 5701). */
  public int getPort() {
    return port;
  }

  public ClusterSettings setPort(int port) {
    this.port = between(port, MIN_PORT, MAX_PORT);
    return this;
  }

  /**
   * The host the other members are told to reach this one on, for Hazelcast and the event bus
   * alike, when it is not the bound one (NAT, containers); null (the default): {@link #getHost()}.
   */
  public String getPublicHost() {
    return publicHost;
  }

  public ClusterSettings setPublicHost(String publicHost) {
    this.publicHost = publicHost == null ? null : notBlank(publicHost);
    return this;
  }

  /** The Hazelcast port the others are told to use; 0 (the default): the port bound. */
  public int getPublicPort() {
    return publicPort;
  }

  public ClusterSettings setPublicPort(int publicPort) {
    this.publicPort = between(publicPort, 0, MAX_PORT);
    return this;
  }

  /**
   * The port the event bus listens on for the other members; 0 (the default): a free port
   * chosen at each start, which suits a cluster on one machine, and a cluster across hosts
   * behind firewalls needs set to a fixed one.
   */
  public int getEventBusPort() {
    return eventBusPort;
  }

  public ClusterSettings setEventBusPort(int eventBusPort) {
    this.eventBusPort = between(eventBusPort, 0, MAX_PORT);
    return this;
  }

  /** The event-bus port the others are told to use; 0 (the default): the port it listens on. */
  public int getEventBusPublicPort() {
    return eventBusPublicPort;
  }

  public ClusterSettings setEventBusPublicPort(int eventBusPublicPort) {
    this.eventBusPublicPort = between(eventBusPublicPort, 0, MAX_PORT);
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

  /** How often this member tells the others it is alive (default 1 s, whole seconds, at most 60 s). */
  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public ClusterSettings setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = wholeSeconds(heartbeatInterval, MAX_HEARTBEAT_INTERVAL);
    return this;
  }

  /**
   * How long a member may stay silent before the others take it out of the cluster (default
   * 10 s, whole seconds, at most 10 min, at least twice the heartbeat interval).
   */
  public Duration getMaxNoHeartbeat() {
    return maxNoHeartbeat;
  }

  public ClusterSettings setMaxNoHeartbeat(Duration maxNoHeartbeat) {
    this.maxNoHeartbeat = wholeSeconds(maxNoHeartbeat, MAX_MAX_NO_HEARTBEAT);
    return this;
  }

  /** How long after the start the first look for a cluster to merge with is (default 10 s). */
  public Duration getMergeFirstRunDelay() {
    return mergeFirstRunDelay;
  }

  public ClusterSettings setMergeFirstRunDelay(Duration mergeFirstRunDelay) {
    this.mergeFirstRunDelay = wholeSeconds(mergeFirstRunDelay, MAX_MERGE_DELAY);
    return this;
  }

  /** How often after that a split cluster looks for its other part to merge with (default 5 s). */
  public Duration getMergeNextRunDelay() {
    return mergeNextRunDelay;
  }

  public ClusterSettings setMergeNextRunDelay(Duration mergeNextRunDelay) {
    this.mergeNextRunDelay = wholeSeconds(mergeNextRunDelay, MAX_MERGE_DELAY);
    return this;
  }

  /**
   * How long a start may take to join (or form) the cluster and see {@link #getMinimumMembers()}
   * members before it fails, naming the members it tried (default 30 s, whole seconds, at most 10 min).
   */
  public Duration getJoinTimeout() {
    return joinTimeout;
  }

  public ClusterSettings setJoinTimeout(Duration joinTimeout) {
    this.joinTimeout = wholeSeconds(joinTimeout, MAX_JOIN_TIMEOUT);
    return this;
  }

  /**
   * How many members, this one included, the cluster must have before a start counts as
   * joined (default 1: a node that reaches no listed member forms the cluster alone). 2 or more
   * makes a node that cannot reach the others fail its start instead of running on its own.
   */
  public int getMinimumMembers() {
    return minimumMembers;
  }

  public ClusterSettings setMinimumMembers(int minimumMembers) {
    this.minimumMembers = between(minimumMembers, 1, MAX_MINIMUM_MEMBERS);
    return this;
  }

  /** What is wrong with maxNoHeartbeat given heartbeatInterval, worded for that setting; null when nothing is. */
  public String maxNoHeartbeatProblem() {
    Duration least = heartbeatInterval.multipliedBy(MIN_HEARTBEATS_PER_TIMEOUT);
    if (maxNoHeartbeat.compareTo(least) < 0) {
      return "must be at least " + MIN_HEARTBEATS_PER_TIMEOUT + " times heartbeatInterval (" + least.toSeconds()
          + " s), was " + maxNoHeartbeat.toSeconds() + " s";
    }
    return null;
  }

  /** Checks the rules that span settings; throws {@link IllegalArgumentException} naming the setting. */
  public ClusterSettings validate() {
    String problem = maxNoHeartbeatProblem();
    if (problem != null) {
      throw new IllegalArgumentException("maxNoHeartbeat: " + problem);
    }
    return this;
  }

  /** The host other members are told to reach this one on. */
  String advertisedHost(String boundAddress) {
    return publicHost != null ? publicHost : boundAddress;
  }

  private static int between(int value, int min, int max) {
    if (value < min) {
      throw new IllegalArgumentException("must be at least " + min + ", was " + value);
    }
    if (value > max) {
      throw new IllegalArgumentException("must be at most " + max + ", was " + value);
    }
    return value;
  }

  /** Hazelcast takes these in whole seconds, so a value it would round is refused rather than changed. */
  private static Duration wholeSeconds(Duration value, Duration max) {
    if (value == null) {
      throw new IllegalArgumentException("must be set");
    }
    if (value.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("must be at least 1 s, was " + value.toMillis() + " ms");
    }
    if (value.compareTo(max) > 0) {
      throw new IllegalArgumentException("must be at most " + max.toSeconds() + " s, was " + value.toSeconds() + " s");
    }
    if (value.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("must be whole seconds, was " + value.toMillis() + " ms");
    }
    return value;
  }

  private static String notBlank(String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return value;
  }
}
