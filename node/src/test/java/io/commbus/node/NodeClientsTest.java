package io.commbus.node;

import io.commbus.bus.Message;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.NodeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node's client endpoint as its configuration sets it up, with a real Python client process. */
class NodeClientsTest {

  private static final Path SDK = Path.of("../python-sdk").toAbsolutePath().normalize();

  @TempDir
  Path dir;
  private Node node;
  private Process client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.destroyForcibly();
    }
    if (node != null) {
      await(node.stop());
    }
  }

  @Test
  void aPythonClientWithAConfiguredTokenServesATypeAndIsRefusedWhatItsTokenLacks() throws Exception {
    Path token = secret("worker.token", "worker-0123456789abcdef");
    JsonObject clients = new JsonObject().put("socket", dir.resolve("clients/bus.sock").toString())
        .put("tokens", new JsonArray().add(new JsonObject().put("name", "worker").put("tokenFile", token.toString())
            .put("allow", new JsonArray().add("query").add("serve")).put("serve", new JsonArray().add("clients."))));
    node = await(Node.start(TestConfigs.parse(TestConfigs.node(dir).put("clients", clients), dir), AdminServer::new));
    Path socket = node.clients().orElseThrow().socketPath();
    assertEquals(dir.resolve("clients/bus.sock"), socket);

    ProcessBuilder python = new ProcessBuilder("python3", TestConfigs.PYTHON.resolve("client_session.py").toString(),
        "unix://" + socket, token.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
    python.environment().put("PYTHONPATH", SDK.toString());
    client = python.start();
    BufferedReader lines = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
    JsonObject serving = new JsonObject(lines.readLine());
    assertTrue(serving.getString("client").startsWith("client worker#"), serving.encode());
    assertEquals("FORBIDDEN", new JsonObject(lines.readLine()).getString("publish"), "the token may not publish");

    Message reply = await(node.bus().query(Message.query("clients.Echo", new JsonObject().put("x", 1)),
        Duration.ofSeconds(10)));
    assertEquals(new JsonObject().put("x", 1), reply.json().getJsonObject("echo"));
    assertEquals(client.pid(), reply.json().getLong("pid"));

    JsonObject status = await(node.clients().orElseThrow().status());
    assertEquals(1, status.getInteger("connections"));
    assertEquals(1, status.getJsonObject("served").getJsonObject("clients.Echo").getInteger("clients"));
  }

  @Test
  void aTokenFileOthersCanReadIsRefused() throws IOException {
    Path token = secret("open.token", "open-0123456789abcdef");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigException refused = assertThrows(ConfigException.class, () -> read("""
        clients:
          tokens:
            - {name: open, tokenFile: open.token, allow: [query]}
        """));
    assertEquals("clients.tokens[0].tokenFile", refused.field());
    assertTrue(refused.getMessage().contains("chmod 600"), refused.getMessage());
  }

  @Test
  void aTokenNeedsKnownPermissionsAndTlsNeedsTcp() throws IOException {
    secret("a.token", "aaaa-0123456789abcdef");
    ConfigException unknown = assertThrows(ConfigException.class, () -> read("""
        clients:
          tokens:
            - {name: a, tokenFile: a.token, allow: [query, manage]}
        """));
    assertEquals("clients.tokens[0].allow", unknown.field());
    assertTrue(unknown.getMessage().contains("\"manage\" is not one of publish, send, query, subscribe, serve, group, admin"),
        unknown.getMessage());
    ConfigException tls = assertThrows(ConfigException.class, () -> read("""
        clients:
          tls: {certificate: node.pem, key: node.key}
        """));
    assertEquals("clients.tls", tls.field());
    NodeConfig config = read("""
        clients:
          tcp: {host: 127.0.0.1, port: 7171}
          maxConnections: 5
          stallTimeout: 2s
        """);
    assertEquals(7171, config.getClients().getTcpPort());
    assertEquals(5, config.getClients().getMaxConnections());
    assertEquals(Duration.ofSeconds(2), config.getClients().getStallTimeout());
    assertNotNull(config.getClients());
  }

  private NodeConfig read(String yaml) {
    return ConfigReader.parse(yaml, ConfigReader.Format.YAML, dir);
  }

  private Path secret(String name, String value) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
