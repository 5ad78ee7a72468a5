package io.commbus.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

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

  /** Same, with Vert.x options; their event-bus host is set to the cluster host. */
  public static Future<Vertx> start(ClusterSettings settings, VertxOptions vertxOptions) {
    return join(settings, vertxOptions).map(Cluster::vertx);
  }

  /** Joins like {@link #start(ClusterSettings, VertxOptions)}, and keeps the cluster manager at hand. */
  public static Future<Cluster> join(ClusterSettings settings, VertxOptions vertxOptions) {
    VertxOptions options = new VertxOptions(vertxOptions);
    EventBusOptions eventBus = options.getEventBusOptions();
    eventBus.setHost(settings.getHost()).setClusterPublicHost(settings.getHost());
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(settings));
    return Vertx.builder()
        .with(options)
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new Cluster(vertx, manager));
  }

  /** The Hazelcast configuration: Vert.x's required maps, TCP-IP join, no multicast, no phone-home. */
  public static Config hazelcastConfig(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.getClusterName());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // Members are listed explicitly, so there is nothing to wait for before joining.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", System.getProperty("hazelcast.logging.type", "jdk"));

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(settings.getPort()).setPortAutoIncrement(true).setPortCount(20);
    network.setPublicAddress(settings.getHost());
    network.getInterfaces().setEnabled(true).clear().addInterface(settings.getHost());

    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.getMembers());
    return config;
  }
}
