package io.commbus.node.config;

import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.Check;
import io.commbus.cluster.ClusterSettings;
import io.commbus.coordinator.CoordinatorOptions;

import io.commbus.process.client.ClientEndpointOptions;

import io.commbus.process.pipeline.SessionOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a node runs: its journal, bus settings, coordinator, Python pools, pipeline
 * sessions, callback handlers, cluster membership and admin port. Every setting has a default, so
 * {@code new NodeConfig()} is a node with a file journal, a coordinator and no pools.
 * {@link ConfigReader} fills one from a JSON or YAML file; docs/configuration.md lists the fields.
 */
public final class NodeConfig {

  private Path source;
  private AdminOptions admin = new AdminOptions();
  private ClientEndpointOptions clients = new ClientEndpointOptions();
  private JournalConfig journal = new JournalConfig();
  private CommBusOptions bus = new CommBusOptions();
  private boolean coordinatorEnabled = true;
  private CoordinatorOptions coordinator = new CoordinatorOptions();
  private List<PoolConfig> pools = new ArrayList<>();
  private List<GroupConfig> groups = new ArrayList<>();
  private List<String> callbackHandlers = new ArrayList<>();
  private List<Path> classPath = new ArrayList<>();
  private boolean clustered;
  private ClusterSettings cluster = new ClusterSettings();
  private Duration shutdownTimeout = Duration.ofSeconds(30);
  private SessionOptions sessions = new SessionOptions();
  private RedisBridgesConfig redis = RedisBridgesConfig.none();

  /** The file it was read from; null when built in code. */
  public Path getSource() {
    return source;
  }

  public NodeConfig setSource(Path source) {
    this.source = source;
    return this;
  }

  /** The admin HTTP API: its port and its connection limits. */
  public AdminOptions getAdmin() {
    return admin;
  }

  public NodeConfig setAdmin(AdminOptions admin) {
    this.admin = Objects.requireNonNull(admin, "admin");
    return this;
  }

  /** The client endpoint, where programs the node did not start connect (on by default, on a Unix socket). */
  public ClientEndpointOptions getClients() {
    return clients;
  }

  public NodeConfig setClients(ClientEndpointOptions clients) {
    this.clients = Objects.requireNonNull(clients, "clients");
    return this;
  }

  /** The admin HTTP port on 127.0.0.1 ({@link AdminOptions#getPort}); 0 takes any free port. */
  public int getAdminPort() {
    return admin.getPort();
  }

  public NodeConfig setAdminPort(int adminPort) {
    admin.setPort(adminPort);
    return this;
  }

  public JournalConfig getJournal() {
    return journal;
  }

  public NodeConfig setJournal(JournalConfig journal) {
    this.journal = Objects.requireNonNull(journal, "journal");
    return this;
  }

  /** Timeouts and stream window of the node's bus; its journal is set by the node. */
  public CommBusOptions getBus() {
    return bus;
  }

  public NodeConfig setBus(CommBusOptions bus) {
    this.bus = Objects.requireNonNull(bus, "bus");
    return this;
  }

  /** Whether the node runs a coordinator (service registry and dispatch); default true. */
  public boolean isCoordinatorEnabled() {
    return coordinatorEnabled;
  }

  public NodeConfig setCoordinatorEnabled(boolean coordinatorEnabled) {
    this.coordinatorEnabled = coordinatorEnabled;
    return this;
  }

  public CoordinatorOptions getCoordinator() {
    return coordinator;
  }

  public NodeConfig setCoordinator(CoordinatorOptions coordinator) {
    this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
    return this;
  }

  /** The Python pools, started together once the coordinator is up. */
  public List<PoolConfig> getPools() {
    return pools;
  }

  public NodeConfig setPools(List<PoolConfig> pools) {
    this.pools = new ArrayList<>(pools);
    return this;
  }

  /** The consumer groups the node joins once its pools are ready, and leaves before they stop. */
  public List<GroupConfig> getGroups() {
    return groups;
  }

  public NodeConfig addGroup(GroupConfig group) {
    groups.add(Objects.requireNonNull(group, "group"));
    return this;
  }

  public NodeConfig addPool(PoolConfig pool) {
    pools.add(Objects.requireNonNull(pool, "pool"));
    return this;
  }

  /**
   * Classes implementing {@code io.commbus.process.CallbackHandler}, made with their no-argument
   * constructor and registered before the pools start, so children can call them at once.
   */
  public List<String> getCallbackHandlers() {
    return callbackHandlers;
  }

  public NodeConfig setCallbackHandlers(List<String> callbackHandlers) {
    this.callbackHandlers = new ArrayList<>(callbackHandlers);
    return this;
  }

  /** Jars and class directories the callback handlers are loaded from, besides the node's own. */
  public List<Path> getClassPath() {
    return classPath;
  }

  public NodeConfig setClassPath(List<Path> classPath) {
    this.classPath = new ArrayList<>(classPath);
    return this;
  }

  /** Whether the node joins a Hazelcast cluster (TCP-IP join, no multicast); default false. */
  public boolean isClustered() {
    return clustered;
  }

  public NodeConfig setClustered(boolean clustered) {
    this.clustered = clustered;
    return this;
  }

  public ClusterSettings getCluster() {
    return cluster;
  }

  public NodeConfig setCluster(ClusterSettings cluster) {
    this.cluster = Objects.requireNonNull(cluster, "cluster");
    return this;
  }

  /** Pipeline sessions: their Python, limits and the pipelines they may be created of by name. */
  public SessionOptions getSessions() {
    return sessions;
  }

  public NodeConfig setSessions(SessionOptions sessions) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    return this;
  }

  /** The Redis Streams bridges (docs/adapters.md); none by default. */
  public RedisBridgesConfig getRedis() {
    return redis;
  }

  public NodeConfig setRedis(RedisBridgesConfig redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
    return this;
  }

  /** How long a stop may take before the node gives up waiting for its parts; default 30 s. */
  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  public NodeConfig setShutdownTimeout(Duration shutdownTimeout) {
    this.shutdownTimeout = Check.positive("shutdownTimeout", shutdownTimeout);
    return this;
  }
}
