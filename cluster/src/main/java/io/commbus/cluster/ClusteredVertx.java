package io.commbus.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Starts a clustered Vert.x instance on Hazelcast with TCP-IP join and multicast disabled.
 * Requires {@code io.vertx:vertx-hazelcast} on the class path.
 */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  /** Joins (or forms) the cluster the settings describe. */
  public static Future<Vertx> start(ClusterSettings settings) {
    return start(settings, new VertxOptions());
  }

  /** Same, with Vert.x options; their event-bus host and ports are set from the cluster settings. */
  public static Future<Vertx> start(ClusterSettings settings, VertxOptions vertxOptions) {
    return join(settings, vertxOptions).map(Cluster::vertx);
  }

  /**
   * Joins like {@link #start(ClusterSettings, VertxOptions)}, and keeps the cluster manager at
   * hand. Joined means: Hazelcast has joined the listed members, or formed the cluster alone
   * after none answered, and the cluster has {@link ClusterSettings#getMinimumMembers()}
   * members; a start that is not there within {@link ClusterSettings#getJoinTimeout()} fails,
   * naming the members it tried, and what it had started is closed.
   */
  public static Future<Cluster> join(ClusterSettings settings, VertxOptions vertxOptions) {
    try {
      settings.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Promise<Cluster> outcome = Promise.promise();
    Promise<Cluster> built = Promise.promise();
    MemberCount members = new MemberCount(settings.getMinimumMembers());
    // The bound covers the whole start, resolving names and loading Hazelcast's configuration included.
    CompletableFuture.delayedExecutor(settings.getJoinTimeout().toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (outcome.tryFail(new IllegalStateException(notJoined(settings, members, built.future().isComplete())))) {
        // Whatever started late is closed; Hazelcast itself gives up joining at the same bound.
        built.future().onSuccess(cluster -> cluster.vertx().close());
      }
    });
    // Names are resolved on a thread of their own: the caller may be an event loop.
    CompletableFuture<ClusterAddresses> resolved = CompletableFuture.supplyAsync(
        () -> ClusterAddresses.resolve(settings), task -> {
          Thread thread = new Thread(task, "commbus-cluster-resolve");
          thread.setDaemon(true);
          thread.start();
        });
    Future.fromCompletionStage(resolved)
        .recover(e -> Future.failedFuture(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e))
        // Not built at all once the start has given up: a member made then would join for nothing.
        .compose(addresses -> outcome.future().isComplete()
            ? Future.<Cluster>failedFuture(new IllegalStateException("gave up before the member was built"))
            : build(settings, addresses, members, vertxOptions))
        .onComplete(built);
    built.future().compose(cluster -> Future.fromCompletionStage(members.reached()).map(cluster))
        .onComplete(ar -> {
          // After the timeout these do nothing, and the close above has the instance.
          if (ar.succeeded()) {
            outcome.tryComplete(ar.result());
          } else {
            outcome.tryFail(ar.cause());
          }
        });
    return outcome.future();
  }

  private static Future<Cluster> build(ClusterSettings settings, ClusterAddresses addresses, MemberCount members,
      VertxOptions vertxOptions) {
    VertxOptions options = new VertxOptions(vertxOptions);
    EventBusOptions eventBus = options.getEventBusOptions();
    eventBus.setHost(addresses.bindAddress()).setPort(settings.getEventBusPort())
        .setClusterPublicHost(addresses.advertisedHost());
    if (settings.getEventBusPublicPort() > 0) {
      eventBus.setClusterPublicPort(settings.getEventBusPublicPort());
    }
    Config config = hazelcastConfig(settings, addresses);
    config.addListenerConfig(new ListenerConfig(members));
    // Members cut off together are all removed within maxNoHeartbeat of the first, give or take
    // the heartbeat rounds that notice it: until then no quorum is claimed.
    ClusterView view = new ClusterView(java.time.Clock.systemUTC(),
        settings.getMaxNoHeartbeat().plus(settings.getHeartbeatInterval().multipliedBy(2)));
    config.addListenerConfig(new ListenerConfig(view));
    HazelcastClusterManager manager = new HazelcastClusterManager(config);
    return Vertx.builder()
        .with(options)
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new Cluster(vertx, manager, view));
  }

  private static String notJoined(ClusterSettings settings, MemberCount members, boolean started) {
    String where = "not joined to cluster \"" + settings.getClusterName() + "\" within "
        + settings.getJoinTimeout().toSeconds() + " s (joinTimeout): tried members " + settings.getMembers()
        + " from " + settings.getHost() + ":" + settings.getPort();
    if (!started) {
      return where + ", and Hazelcast had not finished joining";
    }
    return where + ", and the cluster had " + members.seen() + " of the " + members.minimum()
        + " members minimumMembers asks for";
  }

  /**
   * The Hazelcast configuration: Vert.x's required maps, TCP-IP join, no multicast, no
   * phone-home, the failure detection of the settings. Resolves a host name, so it may block.
   */
  public static Config hazelcastConfig(ClusterSettings settings) {
    return hazelcastConfig(settings, ClusterAddresses.resolve(settings));
  }

  private static Config hazelcastConfig(ClusterSettings settings, ClusterAddresses addresses) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.getClusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Members are listed explicitly, so there is nothing to wait for before joining.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));
    config.setProperty("hazelcast.heartbeat.interval.seconds", seconds(settings.getHeartbeatInterval()));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", seconds(settings.getMaxNoHeartbeat()));
    config.setProperty("hazelcast.merge.first.run.delay.seconds", seconds(settings.getMergeFirstRunDelay()));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", seconds(settings.getMergeNextRunDelay()));
    // A member listed without a port is looked for at cluster.port alone, not at the next two as
    // well: after a split, the search for the other side waits seconds on each address it cannot
    // reach, one after the other, and two more per member stretched the merge to 30 s and more.
    config.setProperty("hazelcast.tcp.join.port.try.count", "1");
    // Hazelcast stops trying at the bound the start gives up at, rather than after its own 300 s.
    config.setProperty("hazelcast.max.join.seconds", seconds(settings.getJoinTimeout()));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.getPort()).setPortAutoIncrement(true).setPortCount(20);
    network.setPublicAddress(settings.getPublicPort() > 0
        ? addresses.advertisedHost() + ":" + settings.getPublicPort()
        : addresses.advertisedHost());
    network.getInterfaces().setEnabled(true).clear().addInterface(addresses.bindAddress());

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.getMembers());
    return config;
  }

  private static String seconds(Duration duration) {
    return Long.toString(duration.toSeconds());
  }
}
