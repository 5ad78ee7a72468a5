package io.commbus.node;

import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.node.admin.AdminServer;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.JournalConfig;
import io.commbus.node.config.NodeConfig;
import io.commbus.node.config.PoolConfig;
import io.commbus.process.client.ClientEndpoint;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.commbus.node.TestConfigs.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example configurations in examples/node start a working node, and say the same in JSON and YAML. */
@Timeout(120)
class ExamplesTest {

  private static final Path EXAMPLES = Path.of("../examples/node").toAbsolutePath().normalize();
  private static final Path CLIENTS = Path.of("../examples/clients").toAbsolutePath().normalize();
  private static final Path SDK = Path.of("../python-sdk").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  @Test
  void theJsonAndYamlExamplesAreTheSameNode() {
    NodeConfig json = ConfigReader.read(EXAMPLES.resolve("node.json"));
    NodeConfig yaml = ConfigReader.read(EXAMPLES.resolve("node.yaml"));

    assertEquals(json.getAdminPort(), yaml.getAdminPort());
    assertEquals(json.getJournal().describe(), yaml.getJournal().describe());
    assertEquals(EXAMPLES.resolve("data/journal"), yaml.getJournal().getFile().getDirectory());
    assertEquals(json.getCoordinator().getRegistry().getHeartbeatTtl(), yaml.getCoordinator().getRegistry().getHeartbeatTtl());
    assertEquals(json.getPools().size(), yaml.getPools().size());
    PoolConfig a = json.getPools().get(0);
    PoolConfig b = yaml.getPools().get(0);
    assertEquals(a.getPool().getName(), b.getPool().getName());
    assertEquals(a.getPool().getType(), b.getPool().getType());
    assertEquals(a.getPool().getSize(), b.getPool().getSize());
    assertEquals(a.getWorker().getModule(), b.getWorker().getModule());
    assertEquals(a.getWorker().getFunction(), b.getWorker().getFunction());
    assertEquals(a.getWorker().getPythonPath(), b.getWorker().getPythonPath());
    assertEquals(a.getWorker().getEnvironment(), b.getWorker().getEnvironment());
    assertEquals(a.isServeAsService(), b.isServeAsService());
    assertEquals(a.getCapabilities(), b.getCapabilities());
  }

  @Test
  void theClusterExamplesAreTwoNodesOnOneJournal() {
    NodeConfig a = ConfigReader.read(EXAMPLES.resolve("cluster-a.yaml"));
    NodeConfig b = ConfigReader.read(EXAMPLES.resolve("cluster-b.yaml"));

    for (NodeConfig node : new NodeConfig[] {a, b}) {
      assertTrue(node.isClustered());
      assertEquals("127.0.0.1", node.getCluster().getHost());
      assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), node.getCluster().getMembers());
      assertEquals(JournalConfig.Kind.POSTGRES, node.getJournal().getKind());
    }
    assertEquals(a.getCluster().getClusterName(), b.getCluster().getClusterName());
    assertEquals(a.getJournal().describe(), b.getJournal().describe());
    assertEquals(List.of(5701, 5702), List.of(a.getCluster().getPort(), b.getCluster().getPort()));
    assertEquals(List.of(8081, 8082), List.of(a.getAdminPort(), b.getAdminPort()));
    assertEquals("pricing.Quote", a.getPools().get(0).getPool().getType());
    assertTrue(b.getPools().isEmpty());
  }

  @Test
  void theClientExampleQuotesReadsTheJournalAndServesAGreeting() throws Exception {
    NodeConfig config = ConfigReader.read(EXAMPLES.resolve("node.yaml")).setAdminPort(0);
    config.getJournal().setFile(new FileJournalOptions(config.getJournal().getFile()).setDirectory(dir.resolve("journal")));
    config.getClients().setRuntimeDirectory(dir);
    Node node = await(Node.start(config, AdminServer::new));
    Process example = null;
    try {
      ClientEndpoint clients = node.clients().orElseThrow();
      ProcessBuilder python = new ProcessBuilder("python3", CLIENTS.resolve("quotes.py").toString(),
          "unix://" + clients.socketPath(), clients.generatedTokenFile().toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT);
      python.environment().put("PYTHONPATH", SDK.toString());
      example = python.start();
      BufferedReader out = new BufferedReader(new InputStreamReader(example.getInputStream(), StandardCharsets.UTF_8));
      List<String> lines = new ArrayList<>();
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
        if (line.startsWith("serving examples.Greeting")) {
          break;
        }
      }
      assertTrue(lines.get(0).startsWith("connected as client local#"), lines.toString());
      assertEquals(List.of("journaled: ACME", "journaled: INITECH", "journaled: UMBRELLA"),
          lines.stream().filter(l -> l.startsWith("journaled: ")).toList(), lines.toString());
      NodeTest.Cli greeting = NodeTest.cli("query", "examples.Greeting", "{\"name\":\"test\"}", "--node",
          node.adminUrl());
      assertEquals(0, greeting.status(), greeting.err());
      assertEquals("hello, test, from a client of the node",
          new JsonObject(greeting.out().trim()).getJsonObject("reply").getString("greeting"));
    } finally {
      if (example != null) {
        example.destroyForcibly();
      }
      await(node.stop());
    }
  }

  @Test
  void theExampleNodeStartsAndAnswersAQuote() {
    // As configured, except that the journal goes to a temporary directory and the port is any free one.
    NodeConfig config = ConfigReader.read(EXAMPLES.resolve("node.yaml")).setAdminPort(0);
    config.getJournal().setFile(new FileJournalOptions(config.getJournal().getFile()).setDirectory(dir.resolve("journal")));
    Node node = await(Node.start(config, AdminServer::new));
    try {
      AdminHttp http = new AdminHttp(node.adminUrl());
      assertEquals(200, http.get("/health").status());

      NodeTest.Cli quote = NodeTest.cli("query", "pricing.Quote", "{\"symbol\":\"ACME\"}", "--node", node.adminUrl());

      assertEquals(0, quote.status(), quote.err());
      JsonObject reply = new JsonObject(quote.out().trim()).getJsonObject("reply");
      assertEquals("ACME", reply.getString("symbol"));
      assertEquals(0.25, reply.getDouble("ask") - reply.getDouble("bid"), 1e-9);
      JsonObject quoted = http.get("/journal?type=pricing.Quoted").json();
      assertEquals("ACME", quoted.getJsonArray("events").getJsonObject(0).getJsonObject("body").getString("symbol"));
      assertTrue(http.get("/services").body().contains("\"name\":\"pricing\""));
    } finally {
      await(node.stop());
    }
  }
}
