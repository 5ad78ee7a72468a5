package io.commbus.node.config;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.journal.file.FsyncPolicy;
import io.commbus.cluster.ClusterSettings;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.StartMode;
import io.commbus.process.wire.Protocol.LogLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {

  @TempDir
  Path dir;

  private static final String FULL_JSON = """
      {
        "admin": {"port": 9090},
        "journal": {"type": "file", "directory": "events", "fsync": "interval:50", "segmentBytes": 1048576},
        "bus": {"queryTimeout": "5s", "sendTimeout": 2000, "streamWindow": 32},
        "coordinator": {"enabled": true, "heartbeatTtl": "4s", "checkInterval": "250ms", "queueCapacity": 50},
        "callbackHandlers": ["io.commbus.node.SpreadCallback"],
        "classPath": ["lib/handlers.jar"],
        "runtimeDirectory": "run",
        "shutdownTimeout": "1m",
        "cluster": {"enabled": true, "name": "prod", "host": "localhost", "port": 5801,
                    "members": ["127.0.0.1:5801", "127.0.0.1:5802"], "publicHost": "node-a.example",
                    "publicPort": 15801, "eventBusPort": 5901, "eventBusPublicPort": 15901,
                    "heartbeatInterval": "2s", "maxNoHeartbeat": "8s", "mergeFirstRunDelay": "20s",
                    "mergeNextRunDelay": "4s", "joinTimeout": "45s", "minimumMembers": 2},
        "pools": [
          {"name": "pricing", "type": "pricing.Quote", "module": "pricer", "function": "quote", "size": 3,
           "python": "/usr/bin/python3", "pythonPath": [".", "/opt/lib"], "env": {"MODE": "fast", "LEVEL": 2},
           "callbacks": ["market.MarketData"], "serveAsService": true, "capabilities": ["quote", "python"],
           "version": "2.1.0", "heartbeatInterval": "1s", "maxInFlight": 8, "maxQueued": 16,
           "requestTimeout": "1500ms", "handshakeTimeout": "20s", "shutdownGrace": "3s", "maxRestarts": 4,
           "initialRestartDelay": "200ms", "maxRestartDelay": "30s", "stableAfter": "1m",
           "givenUpRetryInterval": "5m", "lifecycleEvents": false, "logLevel": "debug", "startMode": "fork"}
        ]
      }
      """;

  private static final String FULL_YAML = """
      admin:
        port: 9090
      journal:
        type: file
        directory: events
        fsync: interval:50
        segmentBytes: 1048576
      bus:
        queryTimeout: 5s
        sendTimeout: 2000
        streamWindow: 32
      coordinator:
        enabled: true
        heartbeatTtl: 4s
        checkInterval: 250ms
        queueCapacity: 50
      callbackHandlers: [io.commbus.node.SpreadCallback]
      classPath: [lib/handlers.jar]
      runtimeDirectory: run
      shutdownTimeout: 1m
      cluster:
        enabled: true
        name: prod
        host: localhost
        port: 5801
        members: ["127.0.0.1:5801", "127.0.0.1:5802"]
        publicHost: node-a.example
        publicPort: 15801
        eventBusPort: 5901
        eventBusPublicPort: 15901
        heartbeatInterval: 2s
        maxNoHeartbeat: 8s
        mergeFirstRunDelay: 20s
        mergeNextRunDelay: 4s
        joinTimeout: 45s
        minimumMembers: 2
      pools:
        - name: pricing
          type: pricing.Quote
          module: pricer
          function: quote
          size: 3
          python: /usr/bin/python3
          pythonPath: [., /opt/lib]
          env: {MODE: fast, LEVEL: 2}
          callbacks: [market.MarketData]
          serveAsService: true
          capabilities: [quote, python]
          version: 2.1.0
          heartbeatInterval: 1s
          maxInFlight: 8
          maxQueued: 16
          requestTimeout: 1500ms
          handshakeTimeout: 20s
          shutdownGrace: 3s
          maxRestarts: 4
          initialRestartDelay: 200ms
          maxRestartDelay: 30s
          stableAfter: 1m
          givenUpRetryInterval: 5m
          lifecycleEvents: false
          logLevel: debug
          startMode: fork
      """;

  @Test
  void anEmptyFileIsANodeWithEveryDefault() {
    NodeConfig config = ConfigReader.parse("{}", ConfigReader.Format.JSON, dir);

    assertEquals(8080, config.getAdminPort());
    assertEquals(JournalConfig.Kind.FILE, config.getJournal().getKind());
    assertEquals(dir.resolve("data/journal"), config.getJournal().getFile().getDirectory());
    assertEquals(FsyncPolicy.ALWAYS, config.getJournal().getFile().getFsync());
    assertTrue(config.isCoordinatorEnabled());
    assertEquals(Duration.ofSeconds(10), config.getCoordinator().getRegistry().getHeartbeatTtl());
    assertEquals(1000, config.getCoordinator().getDispatcher().getQueueCapacity());
    assertEquals(Duration.ofSeconds(30), config.getBus().getQueryTimeout());
    assertEquals(64, config.getBus().getStreamWindow());
    assertTrue(config.getPools().isEmpty());
    assertTrue(config.getCallbackHandlers().isEmpty());
    assertFalse(config.isClustered());
    assertEquals("commbus", config.getCluster().getClusterName());
    assertEquals("127.0.0.1", config.getCluster().getHost());
    assertEquals(List.of("127.0.0.1"), config.getCluster().getMembers());
    assertEquals(null, config.getCluster().getPublicHost());
    assertEquals(0, config.getCluster().getEventBusPort());
    assertEquals(Duration.ofSeconds(1), config.getCluster().getHeartbeatInterval());
    assertEquals(Duration.ofSeconds(10), config.getCluster().getMaxNoHeartbeat());
    assertEquals(Duration.ofSeconds(30), config.getCluster().getJoinTimeout());
    assertEquals(1, config.getCluster().getMinimumMembers());
    assertEquals(Duration.ofSeconds(30), config.getShutdownTimeout());
    assertEquals(ConfigReader.parse("", ConfigReader.Format.YAML, dir).getAdminPort(), 8080);
  }

  @Test
  void aPoolNeedsOnlyANameAndAModule() {
    NodeConfig config = ConfigReader.parse("{\"pools\": [{\"name\": \"p\", \"module\": \"m\"}]}",
        ConfigReader.Format.JSON, dir);

    PoolConfig pool = config.getPools().get(0);
    assertEquals("p", pool.getPool().getType());
    assertEquals(1, pool.getPool().getSize());
    assertEquals("handle", pool.getWorker().getFunction());
    assertEquals("python3", pool.getWorker().getPython());
    assertFalse(pool.isServeAsService());
    assertEquals(256, pool.getWorker().getProcess().getMaxInFlight());
    assertEquals(Duration.ofSeconds(30), pool.getWorker().getProcess().getRequestTimeout());
    assertNull(pool.getWorker().getProcess().getRuntimeDirectory());
    assertEquals(10, pool.getWorker().getProcess().getMaxRestarts());
    assertEquals(Duration.ofMinutes(1), pool.getWorker().getProcess().getGivenUpRetryInterval());
    assertEquals(LogLevel.INFO, pool.getWorker().getProcess().getLogLevel());
    assertEquals(StartMode.SPAWN, pool.getWorker().getProcess().getStartMode());
  }

  @Test
  void jsonAndYamlSayTheSameThing() {
    checkFull(ConfigReader.parse(FULL_JSON, ConfigReader.Format.JSON, dir));
    checkFull(ConfigReader.parse(FULL_YAML, ConfigReader.Format.YAML, dir));
  }

  private void checkFull(NodeConfig config) {
    assertEquals(9090, config.getAdminPort());
    assertEquals(dir.resolve("events"), config.getJournal().getFile().getDirectory());
    assertEquals("interval:50", config.getJournal().getFile().getFsync().toString());
    assertEquals(1048576, config.getJournal().getFile().getSegmentBytes());
    assertEquals(Duration.ofSeconds(5), config.getBus().getQueryTimeout());
    assertEquals(Duration.ofSeconds(2), config.getBus().getSendTimeout());
    assertEquals(32, config.getBus().getStreamWindow());
    assertEquals(Duration.ofSeconds(4), config.getCoordinator().getRegistry().getHeartbeatTtl());
    assertEquals(Duration.ofMillis(250), config.getCoordinator().getRegistry().getCheckInterval());
    assertEquals(50, config.getCoordinator().getDispatcher().getQueueCapacity());
    assertEquals(List.of("io.commbus.node.SpreadCallback"), config.getCallbackHandlers());
    assertEquals(List.of(dir.resolve("lib/handlers.jar")), config.getClassPath());
    assertEquals(Duration.ofMinutes(1), config.getShutdownTimeout());
    assertTrue(config.isClustered());
    assertEquals("prod", config.getCluster().getClusterName());
    assertEquals(5801, config.getCluster().getPort());
    assertEquals(List.of("127.0.0.1:5801", "127.0.0.1:5802"), config.getCluster().getMembers());
    ClusterSettings cluster = config.getCluster();
    assertEquals("localhost", cluster.getHost());
    assertEquals("node-a.example", cluster.getPublicHost());
    assertEquals(15801, cluster.getPublicPort());
    assertEquals(5901, cluster.getEventBusPort());
    assertEquals(15901, cluster.getEventBusPublicPort());
    assertEquals(Duration.ofSeconds(2), cluster.getHeartbeatInterval());
    assertEquals(Duration.ofSeconds(8), cluster.getMaxNoHeartbeat());
    assertEquals(Duration.ofSeconds(20), cluster.getMergeFirstRunDelay());
    assertEquals(Duration.ofSeconds(4), cluster.getMergeNextRunDelay());
    assertEquals(Duration.ofSeconds(45), cluster.getJoinTimeout());
    assertEquals(2, cluster.getMinimumMembers());

    PoolConfig pool = config.getPools().get(0);
    assertEquals("pricing", pool.getPool().getName());
    assertEquals("pricing.Quote", pool.getPool().getType());
    assertEquals(3, pool.getPool().getSize());
    assertFalse(pool.getPool().isLifecycleEvents());
    PythonProcessConfig worker = pool.getWorker();
    assertEquals("pricer", worker.getModule());
    assertEquals("quote", worker.getFunction());
    assertEquals("/usr/bin/python3", worker.getPython());
    assertEquals(List.of(dir, Path.of("/opt/lib")), worker.getPythonPath());
    assertEquals(Map.of("MODE", "fast", "LEVEL", "2"), worker.getEnvironment());
    assertEquals(List.of("market.MarketData"), worker.getProcess().getCallbacks());
    assertEquals(8, worker.getProcess().getMaxInFlight());
    assertEquals(16, worker.getProcess().getMaxQueued());
    assertEquals(Duration.ofMillis(1500), worker.getProcess().getRequestTimeout());
    assertEquals(Duration.ofSeconds(20), worker.getProcess().getHandshakeTimeout());
    assertEquals(Duration.ofSeconds(3), worker.getProcess().getShutdownGrace());
    assertEquals(4, worker.getProcess().getMaxRestarts());
    assertEquals(Duration.ofMillis(200), worker.getProcess().getInitialRestartDelay());
    assertEquals(Duration.ofSeconds(30), worker.getProcess().getMaxRestartDelay());
    assertEquals(Duration.ofMinutes(1), worker.getProcess().getStableAfter());
    assertEquals(Duration.ofMinutes(5), worker.getProcess().getGivenUpRetryInterval());
    assertEquals(LogLevel.DEBUG, worker.getProcess().getLogLevel());
    assertEquals(StartMode.FORK, worker.getProcess().getStartMode());
    assertEquals(dir.resolve("run"), worker.getProcess().getRuntimeDirectory());
    assertTrue(pool.isServeAsService());
    assertEquals(List.of("quote", "python"), pool.getCapabilities());
    assertEquals("2.1.0", pool.getVersion());
    assertEquals(Duration.ofSeconds(1), pool.getHeartbeatInterval());
  }

  @Test
  void aPostgresJournal() {
    NodeConfig config = ConfigReader.parse("""
        journal:
          type: postgres
          host: db.internal
          port: 5433
          database: events
          user: commbus
          password: secret
          table: orders_journal
          poolSize: 8
        """, ConfigReader.Format.YAML, dir);

    assertEquals(JournalConfig.Kind.POSTGRES, config.getJournal().getKind());
    var postgres = config.getJournal().getPostgres();
    assertEquals("db.internal", postgres.getConnect().getHost());
    assertEquals(5433, postgres.getConnect().getPort());
    assertEquals("events", postgres.getConnect().getDatabase());
    assertEquals("commbus", postgres.getConnect().getUser());
    assertEquals("secret", postgres.getConnect().getPassword());
    assertEquals("orders_journal", postgres.getTable());
    assertEquals(8, postgres.getPoolSize());
  }

  @Test
  void theAdminTokenIsReadFromItsFileBesideTheConfiguration() throws IOException {
    Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(dir.resolve("secrets/admin.token"), "  0123456789abcdef0123\n\n");
    Path file = Files.writeString(dir.resolve("node.yaml"),
        "admin:\n  host: 0.0.0.0\n  tokenFile: secrets/admin.token\n  openHealth: true\n");

    AdminOptions admin = ConfigReader.read(file).getAdmin();

    assertEquals("0.0.0.0", admin.getHost());
    assertEquals("0123456789abcdef0123", admin.getToken().orElseThrow(), "the whitespace around it is not the token's");
    assertTrue(admin.isOpenHealth());
    AdminOptions defaults = new NodeConfig().getAdmin();
    assertEquals(AdminOptions.DEFAULT_HOST, defaults.getHost());
    assertTrue(defaults.getToken().isEmpty());
    assertFalse(defaults.isOpenHealth());
  }

  @Test
  void aTokenFileThatCannotServeIsRefusedWithoutRepeatingIt() throws IOException {
    Files.writeString(dir.resolve("short.token"), "secret1\n");
    Files.writeString(dir.resolve("spaced.token"), "correct horse battery staple");
    Files.writeString(dir.resolve("empty.token"), "\n");

    ConfigException tooShort = assertThrows(ConfigException.class, () -> ConfigReader.parse(
        "{\"admin\": {\"tokenFile\": \"short.token\"}}", ConfigReader.Format.JSON, dir));
    assertEquals("admin.tokenFile: the token in " + dir.resolve("short.token") + " must be 16 to 1024 characters"
        + " long, was 7 (make one with: openssl rand -hex 32)", tooShort.getMessage());
    ConfigException spaced = assertThrows(ConfigException.class, () -> ConfigReader.parse(
        "{\"admin\": {\"tokenFile\": \"spaced.token\"}}", ConfigReader.Format.JSON, dir));
    assertEquals("admin.tokenFile: the token in " + dir.resolve("spaced.token") + " may only hold visible ASCII"
        + " characters, no spaces; character 8 is not one", spaced.getMessage());
    assertFalse(spaced.getMessage().contains("horse"));
    ConfigException empty = assertThrows(ConfigException.class, () -> ConfigReader.parse(
        "{\"admin\": {\"tokenFile\": \"empty.token\"}}", ConfigReader.Format.JSON, dir));
    assertTrue(empty.getMessage().endsWith("empty.token is empty"), empty.getMessage());
    ConfigException directory = assertThrows(ConfigException.class, () -> ConfigReader.parse(
        "{\"admin\": {\"tokenFile\": \".\"}}", ConfigReader.Format.JSON, dir));
    assertTrue(directory.getMessage().startsWith("admin.tokenFile: cannot read "), directory.getMessage());
  }

  @Test
  void loopbackAndHostNamesNeedNoTokenToBeRead() {
    for (String host : List.of("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost", "node-1.example")) {
      assertEquals(host, ConfigReader.parse("{\"admin\": {\"host\": \"" + host + "\"}}", ConfigReader.Format.JSON,
          dir).getAdmin().getHost());
    }
  }

  @Test
  void aFileIsReadByItsExtensionAndItsRelativePathsStartBesideIt() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("conf"));
    Path yaml = Files.writeString(sub.resolve("node.yml"), "pools:\n  - {name: p, module: m, pythonPath: [workers]}\n");
    Path json = Files.writeString(sub.resolve("node.conf"), "{\"admin\": {\"port\": 0}}");

    NodeConfig fromYaml = ConfigReader.read(yaml);
    assertEquals(sub.resolve("data/journal"), fromYaml.getJournal().getFile().getDirectory());
    assertEquals(List.of(sub.resolve("workers")), fromYaml.getPools().get(0).getWorker().getPythonPath());
    assertEquals(yaml.toAbsolutePath(), fromYaml.getSource());
    assertEquals(0, ConfigReader.read(json).getAdminPort());
    assertEquals(ConfigReader.Format.YAML, ConfigReader.formatOf(Path.of("x.YAML")));
    assertEquals(ConfigReader.Format.JSON, ConfigReader.formatOf(Path.of("x.json")));
  }

  /** A configuration (single quotes for double) and the start of the message it must fail with. */
  private static final String[] INVALID = {
      "{'pools': [{'name': 'p', 'module': 'm', 'size': 0}]}                      | pools[0].size: must be at least 1, was 0",
      "{'pools': [{'name': 'p'}]}                                                | pools[0].module: required",
      "{'pools': [{'module': 'm'}]}                                              | pools[0].name: required",
      "{'pools': [{'name': 'a b', 'module': 'm'}]}                               | pools[0].name: may only use letters",
      "{'pools': [{'name': 'p', 'module': 'm'}, {'name': 'p', 'module': 'n', 'type': 't'}] } | pools[1].name: \"p\" is already the name of pools[0]",
      "{'pools': [{'name': 'p', 'module': 'm'}, {'name': 'q', 'module': 'n', 'type': 'p'}] } | pools[1].type: \"p\" is already the type of pools[0]",
      "{'pools': [{'name': 'p', 'module': 'm', 'sise': 2}]}                      | pools[0].sise: unknown setting; known here:",
      "{'pools': [{'name': 'p', 'module': 'm', 'function': ''}]}                 | pools[0].function: must not be empty",
      "{'pools': [{'name': 'p', 'module': 'm', 'env': {'COMMBUS_TOKEN': 'x'}}]}  | pools[0].env.COMMBUS_TOKEN: is set by the runtime",
      "{'pools': [{'name': 'p', 'module': 'm', 'env': {'PYTHONPATH': 'x'}}]}     | pools[0].env.PYTHONPATH: is set by the runtime; use pythonPath",
      "{'pools': [{'name': 'p', 'module': 'm', 'env': {'X': {}}}]}               | pools[0].env.X: must be a string",
      "{'pools': [{'name': 'p', 'module': 'm', 'callbacks': ['nodot']}]}         | pools[0].callbacks[0]: must be module.Type",
      "{'pools': [{'name': 'p', 'module': 'm', 'pythonPath': 'lib'}]}            | pools[0].pythonPath: must be a list of strings",
      "{'pools': [{'name': 'p', 'module': 'm', 'requestTimeout': 'soon'}]}       | pools[0].requestTimeout: must be a duration like 500ms",
      "{'pools': [{'name': 'p', 'module': 'm', 'requestTimeout': '0s'}]}         | pools[0].requestTimeout: must be longer than zero",
      "{'pools': [{'name': 'p', 'module': 'm', 'maxInFlight': 0}]}               | pools[0].maxInFlight: must be at least 1",
      "{'pools': [{'name': 'p', 'module': 'm', 'startMode': 'clone'}]}          | pools[0].startMode: must be spawn or fork, was \"clone\"",
      "{'pools': [{'name': 'p', 'module': 'm', 'logLevel': 'verbose'}]}          | pools[0].logLevel: must be one of debug, info, warning, error, critical, was \"verbose\"",
      "{'pools': [{'name': 'p', 'module': 'm', 'maxRestarts': -1}]}              | pools[0].maxRestarts: must be at least 0, was -1",
      "{'pools': [{'name': 'p', 'module': 'm', 'initialRestartDelay': '0s'}]}    | pools[0].initialRestartDelay: must be longer than zero",
      "{'pools': [{'name': 'p', 'module': 'm', 'stableAfter': 'later'}]}         | pools[0].stableAfter: must be a duration like 500ms",
      "{'pools': [{'name': 'p', 'module': 'm', 'givenUpRetryInterval': 0}]}      | pools[0].givenUpRetryInterval: must be longer than zero, was 0 ms",
      "{'pools': [{'name': 'p', 'module': 'm', 'initialRestartDelay': '20s'}]}   | pools[0].maxRestartDelay: must not be shorter than initialRestartDelay (20000 ms), was 10000 ms",
      "{'pools': [{'name': 'p', 'module': 'm', 'serveAsService': 'yes'}]}        | pools[0].serveAsService: must be true or false",
      "{'coordinator': {'enabled': false}, 'pools': [{'name': 'p', 'module': 'm', 'serveAsService': true}]} | pools[0].serveAsService: a pool serves as a service through the coordinator",
      "{'pools': [{'name': 'p', 'module': 'm', 'serveAsService': true, 'heartbeatInterval': '10s'}]} | pools[0].heartbeatInterval: must be shorter than coordinator.heartbeatTtl",
      "{'pools': 'p'}                                                            | pools: must be a list of objects",
      "{'pools': [3]}                                                            | pools[0]: must be an object, was 3",
      "{'admin': {'port': 70000}}                                                | admin.port: must be at most 65535, was 70000",
      "{'admin': {'port': '8080'}}                                               | admin.port: must be a whole number, was \"8080\"",
      "{'admin': {'port': 80.5}}                                                 | admin.port: must be a whole number, was 80.5",
      "{'admin': {'host': '0.0.0.0'}}                                            | admin.host: \"0.0.0.0\" is every interface (0.0.0.0), and the admin API can publish and query: set admin.tokenFile",
      "{'admin': {'host': '::'}}                                                 | admin.host: \"::\" is every interface (0:0:0:0:0:0:0:0)",
      "{'admin': {'host': '192.0.2.7'}}                                          | admin.host: \"192.0.2.7\" is an address that is not loopback (192.0.2.7)",
      "{'admin': {'host': '::ffff:10.0.0.1'}}                                    | admin.host: \"::ffff:10.0.0.1\" is an address that is not loopback (10.0.0.1)",
      "{'admin': {'host': '[::1]'}}                                              | admin.host: must be an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or a host name, an IPv6 address without brackets",
      "{'admin': {'host': '10.0.0.300'}}                                         | admin.host: must be an IP address",
      "{'admin': {'host': 'node one'}}                                           | admin.host: must be an IP address",
      "{'admin': {'host': ''}}                                                   | admin.host: must not be empty",
      "{'admin': {'host': 8080}}                                                 | admin.host: must be a string",
      "{'admin': {'token': 'inline-secrets-are-refused'}}                        | admin.token: unknown setting; known here: host, idleTimeout, maxConnections, openHealth, port, requestTimeout, tokenFile",
      "{'admin': {'tokenFile': 'missing.token'}}                                 | admin.tokenFile: no such file: ",
      "{'admin': {'openHealth': 'yes'}}                                          | admin.openHealth: must be true or false",
      "{'admin': {'idleTimeout': '2h'}}                                          | admin.idleTimeout: must be at most 3600000 ms, was 7200000 ms",
      "{'admin': {'requestTimeout': 0}}                                          | admin.requestTimeout: must be longer than zero, was 0 ms",
      "{'admin': {'maxConnections': 10001}}                                      | admin.maxConnections: must be at most 10000, was 10001",
      "{'bus': {'queryTimeout': '2h'}}                                           | bus.queryTimeout: must be at most 3600000 ms, was 7200000 ms",
      "{'admin': 8080}                                                           | admin: must be an object, was 8080",
      "{'journal': {'type': 'mongo'}}                                            | journal.type: must be \"file\" or \"postgres\", was \"mongo\"",
      "{'journal': {'fsync': 'sometimes'}}                                       | journal.fsync: must be always, never or interval:<ms>",
      "{'journal': {'segmentBytes': 10}}                                         | journal.segmentBytes: must be at least 4096, was 10",
      "{'journal': {'directory': ''}}                                            | journal.directory: must not be empty",
      "{'journal': {'host': 'db'}}                                               | journal.host: unknown setting",
      "{'journal': {'type': 'postgres', 'directory': 'x'}}                       | journal.directory: unknown setting",
      "{'journal': {'type': 'postgres', 'table': 'Bad-Name'}}                    | journal.table: must be 1 to 48 of a-z",
      "{'journal': {'type': 'postgres', 'port': 0}}                              | journal.port: must be at least 1, was 0",
      "{'bus': {'queryTimeout': '-1s'}}                                          | bus.queryTimeout: must be a duration",
      "{'bus': {'streamWindow': 0}}                                              | bus.streamWindow: must be at least 1",
      "{'coordinator': {'enabled': 'yes'}}                                       | coordinator.enabled: must be true or false, was \"yes\"",
      "{'coordinator': {'baseBackoff': '2s', 'maxBackoff': '1s'}}                | coordinator.maxBackoff: must not be shorter than baseBackoff",
      "{'coordinator': {'heartbeatTtl': 0}}                                      | coordinator.heartbeatTtl: must be longer than zero",
      "{'cluster': {'members': []}}                                              | cluster.members: must list at least one member",
      "{'cluster': {'members': ['127.0.0.1:x']}}                                 | cluster.members[0]: must be host or host:port, was \"127.0.0.1:x\"",
      "{'cluster': {'port': 0}}                                                  | cluster.port: must be at least 1, was 0",
      "{'cluster': {'name': ' '}}                                                | cluster.name: must not be empty",
      "{'cluster': {'multicast': true}}                                          | cluster.multicast: unknown setting",
      "{'cluster': {'host': ''}}                                                 | cluster.host: must not be empty",
      "{'cluster': {'publicHost': ' '}}                                          | cluster.publicHost: must not be empty",
      "{'cluster': {'publicPort': 65536}}                                        | cluster.publicPort: must be at most 65535, was 65536",
      "{'cluster': {'eventBusPort': -1}}                                         | cluster.eventBusPort: must be at least 0, was -1",
      "{'cluster': {'eventBusPort': '5901'}}                                     | cluster.eventBusPort: must be a whole number, was \"5901\"",
      "{'cluster': {'eventBusPublicPort': 70000}}                                | cluster.eventBusPublicPort: must be at most 65535, was 70000",
      "{'cluster': {'heartbeatInterval': '500ms'}}                               | cluster.heartbeatInterval: must be at least 1 s, was 500 ms",
      "{'cluster': {'heartbeatInterval': '2m'}}                                  | cluster.heartbeatInterval: must be at most 60 s, was 120 s",
      "{'cluster': {'maxNoHeartbeat': '1500ms'}}                                 | cluster.maxNoHeartbeat: must be whole seconds, was 1500 ms",
      "{'cluster': {'maxNoHeartbeat': '11m'}}                                    | cluster.maxNoHeartbeat: must be at most 600 s, was 660 s",
      "{'cluster': {'heartbeatInterval': '5s', 'maxNoHeartbeat': '9s'}}          | cluster.maxNoHeartbeat: must be at least 2 times heartbeatInterval (10 s), was 9 s",
      "{'cluster': {'mergeFirstRunDelay': 0}}                                    | cluster.mergeFirstRunDelay: must be at least 1 s, was 0 ms",
      "{'cluster': {'mergeNextRunDelay': '2h'}}                                  | cluster.mergeNextRunDelay: must be at most 3600 s, was 7200 s",
      "{'cluster': {'joinTimeout': '11m'}}                                       | cluster.joinTimeout: must be at most 600 s, was 660 s",
      "{'cluster': {'joinTimeout': 'soon'}}                                      | cluster.joinTimeout: must be a duration",
      "{'cluster': {'minimumMembers': 0}}                                        | cluster.minimumMembers: must be at least 1, was 0",
      "{'cluster': {'minimumMembers': 1001}}                                     | cluster.minimumMembers: must be at most 1000, was 1001",
      "{'callbackHandlers': 'x'}                                                 | callbackHandlers: must be a list of strings, was \"x\"",
      "{'groups': [{'handler': 'a.B'}]}                                          | groups[0].name: required",
      "{'groups': [{'name': 'a b', 'handler': 'a.B'}]}                           | groups[0].name: a group name is 1 to 100 letters",
      "{'groups': [{'name': 'g'}]}                                               | groups[0].handler: a group member is either a handler class (handler) or one of the node's pools (pool): give exactly one",
      "{'groups': [{'name': 'g', 'handler': 'a.B', 'pool': 'p'}]}                | groups[0].pool: a group member is either",
      "{'groups': [{'name': 'g', 'pool': 'p'}]}                                  | groups[0].pool: no pool is named \"p\"; the pools are none",
      "{'groups': [{'name': 'g', 'handler': 'a.B'}, {'name': 'g', 'handler': 'c.D'}]} | groups[1].name: \"g\" is already the name of groups[0]",
      "{'groups': [{'name': 'g', 'handler': 'a.B', 'maxAttempts': 0}]}           | groups[0].maxAttempts: must be at least 1, was 0",
      "{'groups': [{'name': 'g', 'handler': 'a.B', 'initialBackoff': '2s', 'maxBackoff': '1s'}]} | groups[0].maxBackoff: must not be shorter than initialBackoff (2000 ms), was 1000 ms",
      "{'groups': [{'name': 'g', 'handler': 'a.B', 'handlerTimeout': 0}]}        | groups[0].handlerTimeout: must be longer than zero",
      "{'groups': [{'name': 'g', 'handler': 'a.B', 'sise': 1}]}                  | groups[0].sise: unknown setting",
      "{'runtimeDirectory': '/tmp/" + "d".repeat(80) + "'}                       | runtimeDirectory: /tmp/" + "d".repeat(80) + " is 85 bytes long, and the sockets made under it would pass the 107-byte limit",
      "{'callbackHandlers': ['']}                                                | callbackHandlers[0]: must be a non-empty string",
      "{'shutdownTimeout': '0s'}                                                 | shutdownTimeout: must be longer than zero",
      "{'frobnicate': 1}                                                         | frobnicate: unknown setting; known here:",
  };

  static Stream<Arguments> invalidConfigurations() {
    return Arrays.stream(INVALID).map(line -> line.split("\\s+\\|\\s+", 2))
        .map(parts -> Arguments.of(parts[0].trim(), parts[1].trim()));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidConfigurations")
  void everyInvalidFieldIsNamed(String json, String expected) {
    ConfigException error = assertThrows(ConfigException.class,
        () -> ConfigReader.parse(json.replace('\'', '"'), ConfigReader.Format.JSON, dir));
    assertTrue(error.getMessage().startsWith(expected), () -> "expected \"" + expected + "...\", got: "
        + error.getMessage());
    assertEquals(expected.substring(0, expected.indexOf(':')), error.field());
  }

  @Test
  void yamlErrorsNameTheFieldToo() {
    ConfigException error = assertThrows(ConfigException.class, () -> ConfigReader.parse(
        "pools:\n  - name: p\n    module: m\n    size: 0\n", ConfigReader.Format.YAML, dir));
    assertEquals("pools[0].size: must be at least 1, was 0", error.getMessage());
  }

  @Test
  void malformedFilesSayWhereTheyBreak() {
    ConfigException json = assertThrows(ConfigException.class,
        () -> ConfigReader.parse("{\"admin\": {\"port\": 80,}}", ConfigReader.Format.JSON, dir));
    assertTrue(json.getMessage().startsWith("not valid JSON: "), json.getMessage());
    assertTrue(json.getMessage().contains("(line 1, column"), json.getMessage());

    ConfigException yaml = assertThrows(ConfigException.class,
        () -> ConfigReader.parse("admin:\n  port: [80\n", ConfigReader.Format.YAML, dir));
    assertTrue(yaml.getMessage().startsWith("not valid YAML: "), yaml.getMessage());

    ConfigException duplicate = assertThrows(ConfigException.class,
        () -> ConfigReader.parse("{\"admin\": {}, \"admin\": {}}", ConfigReader.Format.JSON, dir));
    assertTrue(duplicate.getMessage().contains("Duplicate field 'admin'"), duplicate.getMessage());

    ConfigException list = assertThrows(ConfigException.class,
        () -> ConfigReader.parse("[1, 2]", ConfigReader.Format.JSON, dir));
    assertEquals("the configuration must be an object of settings, not a list", list.getMessage());

    ConfigException missing = assertThrows(ConfigException.class, () -> ConfigReader.read(dir.resolve("nope.json")));
    assertTrue(missing.getMessage().startsWith("no such configuration file: "), missing.getMessage());
  }
}
