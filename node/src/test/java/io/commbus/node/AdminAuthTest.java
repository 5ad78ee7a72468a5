package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.NodeConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API with a bearer token: every endpoint asks for it, and a node refuses to listen
 * beyond loopback without one. Real nodes on loopback (127.0.0.1, 127.0.0.2); 0.0.0.0 is only
 * ever refused, never bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class AdminAuthTest {

  private static final String TOKEN = "3f9c1d7e5a2b48c6a1e0f7d2b9c4e813";

  private Path dir;
  private Path tokenFile;
  private Path configFile;
  private Node node;

  @BeforeAll
  void startNode(@TempDir Path dir) throws IOException {
    this.dir = dir;
    // As echo leaves it: the newline is not part of the token.
    tokenFile = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
    JsonObject json = TestConfigs.node(dir.resolve("guarded"));
    json.getJsonObject("admin").put("host", "127.0.0.1").put("tokenFile", "admin.token");
    configFile = TestConfigs.write(dir, "guarded.json", json);
    node = await(Node.start(ConfigReader.read(configFile), AdminServer::new));
  }

  @AfterAll
  void stopNode() {
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void withATokenEveryEndpointAsksForIt() {
    AdminHttp anonymous = new AdminHttp(node.adminUrl());
    for (String path : List.of("/health", "/metrics", "/services", "/processes", "/journal", "/no-such-thing")) {
      AdminHttp.Reply reply = anonymous.get(path);
      assertEquals(401, reply.status(), path + ": " + reply.body());
      assertEquals("application/json", reply.contentType());
      assertEquals("UNAUTHORIZED", reply.json().getJsonObject("error").getString("code"), reply.body());
      assertEquals("Bearer realm=\"commbus admin\"", reply.header("www-authenticate"));
    }
    AdminHttp.Reply publish = anonymous.post("/publish", new JsonObject().put("type", "auth.Anonymous"));
    assertEquals(401, publish.status(), publish.body());

    AdminHttp http = new AdminHttp(node.adminUrl(), "Bearer " + TOKEN);
    assertEquals(200, http.get("/health").status());
    assertEquals(200, http.get("/metrics").status());
    assertEquals(200, http.post("/publish", new JsonObject().put("type", "auth.Admitted")).status());
    JsonObject page = http.get("/journal?type=auth.Anonymous,auth.Admitted").json();
    assertEquals(List.of("auth.Admitted"), page.getJsonArray("events").stream()
        .map(e -> ((JsonObject) e).getString("type")).toList(), "the refused publish stored nothing");
  }

  @Test
  void aWrongTokenOrAnotherSchemeIsRefused() {
    AdminHttp.Reply wrong = new AdminHttp(node.adminUrl(), "Bearer " + TOKEN.replace('3', '4')).get("/health");
    assertEquals(401, wrong.status(), wrong.body());
    assertEquals("Bearer realm=\"commbus admin\", error=\"invalid_token\"", wrong.header("www-authenticate"));
    assertFalse(wrong.body().contains(TOKEN.replace('3', '4')), "the refusal does not repeat the token");

    AdminHttp.Reply prefix = new AdminHttp(node.adminUrl(), "Bearer " + TOKEN.substring(0, 20)).get("/health");
    assertEquals(401, prefix.status(), prefix.body());
    AdminHttp.Reply longer = new AdminHttp(node.adminUrl(), "Bearer " + TOKEN + "x").get("/health");
    assertEquals(401, longer.status(), longer.body());

    AdminHttp.Reply basic = new AdminHttp(node.adminUrl(), "Basic " + TOKEN).get("/health");
    assertEquals(401, basic.status(), basic.body());
    assertTrue(basic.json().getJsonObject("error").getString("message").contains("Bearer"), basic.body());
    // The token alone, without a scheme: the refusal must not repeat it, in any case.
    AdminHttp.Reply bare = new AdminHttp(node.adminUrl(), TOKEN).get("/health");
    assertEquals(401, bare.status(), bare.body());
    assertFalse(bare.body().toLowerCase(java.util.Locale.ROOT).contains(TOKEN.toLowerCase(java.util.Locale.ROOT)),
        "the refusal does not repeat the header: " + bare.body());

    assertEquals(200, new AdminHttp(node.adminUrl(), "bearer " + TOKEN).get("/health").status(),
        "the scheme's name is case-insensitive (RFC 7235)");
  }

  @Test
  void theCommandLineBringsTheTokenFromAFileTheEnvironmentOrTheConfiguration() throws IOException {
    NodeTest.Cli none = NodeTest.cli("publish", "auth.Cli", "{}", "--node", node.adminUrl());
    assertEquals(1, none.status(), none.err());
    assertTrue(none.err().startsWith("commbus publish: UNAUTHORIZED: "), none.err());
    assertTrue(none.err().contains("--token-file FILE, or set COMMBUS_ADMIN_TOKEN"), none.err());

    NodeTest.Cli file = NodeTest.cli("publish", "auth.Cli", "{}", "--node", node.adminUrl(),
        "--token-file", tokenFile.toString());
    assertEquals(0, file.status(), file.err());
    assertTrue(file.out().startsWith("{\"position\":"), file.out());

    NodeTest.Cli environment = NodeTest.cliWithEnvironment(Map.of("COMMBUS_ADMIN_TOKEN", TOKEN), "publish", "auth.Cli", "{}", "--node", node.adminUrl());
    assertEquals(0, environment.status(), environment.err());

    // The configuration's port is 0, so --config is asked of a copy naming the port taken.
    JsonObject copy = new JsonObject(Files.readString(configFile));
    copy.getJsonObject("admin").put("port", node.adminPort());
    Path config = TestConfigs.write(dir, "same-node.json", copy);
    NodeTest.Cli configured = NodeTest.cli("publish", "auth.Cli", "{}", "--config", config.toString());
    assertEquals(0, configured.status(), configured.err());

    NodeTest.Cli wrong = NodeTest.cliWithEnvironment(Map.of("COMMBUS_ADMIN_TOKEN", "not-the-token-at-all"), "publish", "auth.Cli", "{}",
        "--node", node.adminUrl());
    assertEquals(1, wrong.status(), wrong.err());
    assertTrue(wrong.err().contains("is not the node's"), wrong.err());
  }

  @Test
  void openHealthLetsAProbeReadHealthAndNothingElse(@TempDir Path other) {
    NodeConfig config = TestConfigs.parse(TestConfigs.node(other), other);
    config.getAdmin().setToken(TOKEN).setOpenHealth(true);
    Node open = await(Node.start(config, AdminServer::new));
    try {
      AdminHttp anonymous = new AdminHttp(open.adminUrl());
      assertEquals(200, anonymous.get("/health").status());
      assertEquals(401, anonymous.get("/metrics").status());
      assertEquals(401, anonymous.post("/publish", new JsonObject().put("type", "x.Y")).status());
    } finally {
      await(open.stop());
    }
  }

  @Test
  void everyInterfaceWithoutATokenIsRefusedBeforeAnythingStartsOrBinds(@TempDir Path other) throws IOException {
    // The port is taken on loopback, which a bind on 0.0.0.0 would collide with: the refusal is not that.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NodeConfig config = TestConfigs.parse(TestConfigs.node(other), other);
      config.getAdmin().setHost("0.0.0.0").setPort(taken.getLocalPort());

      ConfigException refused = assertThrows(ConfigException.class, () -> await(Node.start(config, AdminServer::new)));

      assertEquals("admin.host", refused.field());
      assertTrue(refused.getMessage().startsWith("admin.host: \"0.0.0.0\" is every interface (0.0.0.0), and the admin"
          + " API can publish and query: set admin.tokenFile"), refused.getMessage());
      assertEquals(List.of(), TestConfigs.contents(other), "no journal was opened");
    }
  }

  @Test
  void theNodeCommandExitsTwoNamingTheSetting(@TempDir Path other) {
    JsonObject json = TestConfigs.node(other);
    json.getJsonObject("admin").put("host", "::");
    Path config = TestConfigs.write(other, "open.json", json);

    NodeTest.Cli run = NodeTest.cli("node", "--config", config.toString());

    assertEquals(2, run.status(), run.err());
    assertTrue(run.err().startsWith("commbus node: " + config + ": admin.host: \"::\" is every interface"), run.err());
    assertTrue(run.err().contains("admin.tokenFile"), run.err());
  }

  @Test
  void anyLoopbackAddressNeedsNoTokenAndTheUrlNamesIt(@TempDir Path other) {
    NodeConfig config = TestConfigs.parse(TestConfigs.node(other), other);
    // All of 127.0.0.0/8 is loopback (InetAddress.isLoopbackAddress), and Linux routes it all to lo.
    config.getAdmin().setHost("127.0.0.2");
    Node second = await(Node.start(config, AdminServer::new));
    try {
      assertEquals("http://127.0.0.2:" + second.adminPort(), second.adminUrl());
      AdminHttp.Reply health = new AdminHttp(second.adminUrl()).get("/health");
      assertEquals(200, health.status(), health.body());
      assertNull(health.header("www-authenticate"));
    } finally {
      await(second.stop());
    }
  }

  @Test
  void aHostNameIsResolvedAndEachOfItsAddressesChecked(@TempDir Path other) {
    NodeConfig config = TestConfigs.parse(TestConfigs.node(other), other);
    config.getAdmin().setHost("localhost");
    Node named = await(Node.start(config, AdminServer::new));
    try {
      String url = named.adminUrl();
      assertTrue(url.equals("http://127.0.0.1:" + named.adminPort()) || url.equals("http://[::1]:" + named.adminPort()),
          url);
      assertEquals(200, new AdminHttp(url).get("/health").status());
    } finally {
      await(named.stop());
    }
  }

}
