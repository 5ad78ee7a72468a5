package io.commbus.bus.cluster;

import io.commbus.bus.CommBus;
import io.commbus.bus.CommBusOptions;
import io.commbus.cluster.Cluster;
import io.commbus.cluster.ClusterSettings;
import io.commbus.cluster.ClusteredVertx;
import io.vertx.core.Promise;
import io.vertx.core.VertxOptions;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster member in a JVM of its own that takes calls and never answers them: what
 * {@link NodeLeftTest} kills. Joins the cluster its first three arguments name (name, Hazelcast
 * port, members), handles the query types the others name (a name starting "stream." as a stream that never sends an item),
 * prints "READY" once registered and "GOT type" for each call, and runs until it is killed or
 * its standard input closes.
 */
public final class SilentMember {

  private SilentMember() {
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }

  public static void main(String[] args) throws Exception {
    Cluster cluster = ClusteredVertx.join(
        NodeLeftTest.settings(args[0], Integer.parseInt(args[1]), List.of(args[2].split(","))), new VertxOptions())
        .await(60, TimeUnit.SECONDS);
    CommBus bus = CommBus.create(cluster.vertx(), new CommBusOptions());
    for (String type : List.of(args).subList(3, args.length)) {
      if (type.startsWith("stream.")) {
        bus.registerStreamHandler(type, (query, sink) -> say("GOT " + type))
            .await(30, TimeUnit.SECONDS);
      } else {
        bus.registerHandler(type, query -> {
          say("GOT " + type);
          return Promise.<Object>promise().future();
        }).await(30, TimeUnit.SECONDS);
      }
    }
    say("READY " + cluster.nodeId());
    // Ends when the parent goes away, so a crashed test leaves no member behind.
    while (System.in.read() >= 0) {
      // Nothing is read from the parent; only the end matters.
    }
    cluster.vertx().close().await(10, TimeUnit.SECONDS);
    Runtime.getRuntime().halt(0);
  }
}
