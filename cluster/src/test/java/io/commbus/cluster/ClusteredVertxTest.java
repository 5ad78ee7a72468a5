package io.commbus.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusteredVertxTest {

  @Test
  void defaultsJoinOverTcpOnLoopbackWithMulticastOff() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings());
    JoinConfig join = config.getNetworkConfig().getJoin();

    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1"), join.getTcpIpConfig().getMembers());
    assertTrue(config.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("commbus", config.getClusterName());
  }

  @Test
  void vertxMapsAreKeptFromTheDefaultConfig() {
    Config config = ClusteredVertx.hazelcastConfig(new ClusterSettings());
    assertTrue(config.getMultiMapConfigs().containsKey("__vertx.subs"), "Vert.x needs its subscription map");
  }

  @Test
  void settingsRejectAnImpossiblePort() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new ClusterSettings().setPort(70000));
  }
}
