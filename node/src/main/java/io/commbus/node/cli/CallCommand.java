package io.commbus.node.cli;

import io.commbus.bus.Category;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.Durations;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.AdminOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code commbus publish|send|query TYPE [JSON]}: one bus call through a running node's admin
 * API ({@code POST /publish}, {@code /send}, {@code /query}). Prints the node's JSON answer on
 * stdout; a failure prints its error code and message on stderr and exits 1.
 */
final class CallCommand implements Command {

  /** Where a node listens unless told otherwise: the default admin port on loopback. */
  static final String DEFAULT_NODE = "http://127.0.0.1:" + AdminOptions.DEFAULT_PORT;

  /** What the command asks of the bus; its verb is the command's name. */
  private final Category category;
  private final String verb;
  private final InputStream stdin;

  private CallCommand(Category category, InputStream stdin) {
    this.category = category;
    this.verb = category.verb();
    this.stdin = stdin;
  }

  static CallCommand publish(InputStream stdin) {
    return new CallCommand(Category.EVENT, stdin);
  }

  static CallCommand send(InputStream stdin) {
    return new CallCommand(Category.COMMAND, stdin);
  }

  static CallCommand query(InputStream stdin) {
    return new CallCommand(Category.QUERY, stdin);
  }

  @Override
  public String name() {
    return verb;
  }

  @Override
  public String summary() {
    switch (category) {
      case EVENT:
        return "publish an event through a running node: commbus publish TYPE JSON";
      case COMMAND:
        return "send a command to its handler through a running node: commbus send TYPE JSON";
      default:
        return "query a handler through a running node and print its reply: commbus query TYPE JSON";
    }
  }

  @Override
  public String help() {
    String what;
    String answer;
    String extra;
    String codes;
    switch (category) {
      case EVENT:
        what = "Publishes an event of type TYPE with the JSON object as its payload; it is journaled, then\n"
            + "delivered to every subscriber on every node.";
        answer = "{\"position\":N}, the event's journal position";
        extra = "  --id ID          the event's id: publishing the same id again stores and delivers nothing\n";
        codes = "STORAGE, REJECTED";
        break;
      case COMMAND:
        what = "Sends a command of type TYPE to its one handler, wherever it runs; completes once the\n"
            + "handler's node has it (the handling is not waited for).";
        answer = "{\"sent\":true}";
        extra = "";
        codes = "NO_HANDLER, TIMEOUT";
        break;
      default:
        what = "Asks the handler of TYPE (a Java handler, or a Python pool of that type) and waits for its\n"
            + "reply.";
        answer = "{\"reply\":...}, the handler's answer";
        extra = "  --timeout TIME   how long to wait for the reply (500ms, 10s, 2m; at most "
            + Durations.format(CommBusOptions.MAX_TIMEOUT) + "; default: the\n"
            + "                   node's bus.queryTimeout)\n";
        codes = "NO_HANDLER, TIMEOUT, HANDLER_FAILED";
    }
    return "usage: commbus " + verb + " TYPE [JSON] [--node URL | --config FILE] [options]\n\n"
        + what + "\n"
        + "  JSON             the payload, a JSON object (default {}); - reads it from stdin\n"
        + "  --node URL       the node's admin URL (default " + DEFAULT_NODE + ")\n"
        + "  --config FILE    take the admin port from this node configuration instead\n"
        + "  --meta KEY=VALUE metadata carried as a header; repeatable\n"
        + extra
        + "Prints the node's answer on stdout: " + answer + ".\n"
        + "Exit codes: 0 done; 1 the call failed or the node cannot be reached (stderr says why, with the\n"
        + "error code: " + codes + ", ...); 2 the command line is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    JsonObject request;
    URI endpoint;
    Duration wait;   // null: as long as the node's own bus timeouts allow
    try {
      Set<String> valued = new HashSet<>(Set.of("--node", "--config", "--meta"));
      if (category == Category.EVENT) {
        valued.add("--id");
      }
      if (category == Category.QUERY) {
        valued.add("--timeout");
      }
      CommandArgs parsed = CommandArgs.parse(args, valued, Set.of());
      request = request(parsed);
      endpoint = endpoint(parsed);
      wait = request.containsKey("timeoutMs") ? Duration.ofMillis(request.getLong("timeoutMs")) : null;
    } catch (CommandArgs.UsageError e) {
      err.println("commbus " + verb + ": " + e.getMessage());
      err.println("see: commbus " + verb + " --help");
      return Main.USAGE;
    }
    return call(endpoint, request, wait, out, err);
  }

  private JsonObject request(CommandArgs parsed) throws CommandArgs.UsageError, IOException {
    List<String> words = parsed.positional();
    if (words.isEmpty()) {
      throw new CommandArgs.UsageError("which type? commbus " + verb + " TYPE [JSON]");
    }
    if (words.size() > 2) {
      throw new CommandArgs.UsageError("unexpected argument '" + words.get(2) + "'; quote the JSON as one word");
    }
    String text = words.size() == 2 ? words.get(1) : "{}";
    if (text.equals("-")) {
      text = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonObject payload;
    try {
      payload = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new CommandArgs.UsageError("the payload must be a JSON object, like '{\"symbol\":\"ACME\"}'; got: " + text);
    }
    JsonObject request = new JsonObject().put("type", words.get(0)).put("payload", payload);
    JsonObject metadata = new JsonObject();
    for (String pair : parsed.options("--meta")) {
      int equals = pair.indexOf('=');
      if (equals < 1) {
        throw new CommandArgs.UsageError("--meta wants KEY=VALUE, not '" + pair + "'");
      }
      metadata.put(pair.substring(0, equals), pair.substring(equals + 1));
    }
    if (!metadata.isEmpty()) {
      request.put("metadata", metadata);
    }
    if (parsed.option("--id") != null) {
      request.put("id", parsed.option("--id"));
    }
    if (parsed.option("--timeout") != null) {
      try {
        String given = parsed.option("--timeout");
        Duration timeout = Durations.parse(given);
        if (timeout.isZero()) {
          throw new IllegalArgumentException("a duration longer than zero; was \"0\"");
        }
        if (timeout.compareTo(CommBusOptions.MAX_TIMEOUT) > 0) {
          throw new IllegalArgumentException("a duration of at most " + Durations.format(CommBusOptions.MAX_TIMEOUT)
              + "; was \"" + given + "\"");
        }
        request.put("timeoutMs", timeout.toMillis());
      } catch (IllegalArgumentException e) {
        throw new CommandArgs.UsageError("--timeout wants " + e.getMessage());
      }
    }
    return request;
  }

  private URI endpoint(CommandArgs parsed) throws CommandArgs.UsageError {
    String node = parsed.option("--node");
    String config = parsed.option("--config");
    if (node != null && config != null) {
      throw new CommandArgs.UsageError("give --node or --config, not both");
    }
    if (config != null) {
      try {
        node = "http://127.0.0.1:" + ConfigReader.read(Path.of(config)).getAdminPort();
      } catch (ConfigException e) {
        throw new CommandArgs.UsageError(config + ": " + e.getMessage());
      }
    }
    if (node == null) {
      node = DEFAULT_NODE;
    }
    try {
      URI base = URI.create(node.endsWith("/") ? node : node + "/");
      if (!"http".equals(base.getScheme()) || base.getHost() == null) {
        throw new IllegalArgumentException("not an http URL");
      }
      return base.resolve(verb);
    } catch (IllegalArgumentException e) {
      throw new CommandArgs.UsageError("--node wants the node's admin URL, like " + DEFAULT_NODE + ", not '" + node + "'");
    }
  }

  private int call(URI endpoint, JsonObject request, Duration wait, PrintStream out, PrintStream err)
      throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder post = HttpRequest.newBuilder(endpoint)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request.encode()));
    if (wait != null) {
      // The node answers a timed-out query itself; the margin only guards against a node that hangs.
      post.timeout(wait.plusSeconds(10));
    }
    HttpResponse<String> response;
    try {
      response = client.send(post.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException e) {
      err.println("commbus " + verb + ": cannot reach a node at " + endpoint.resolve("/") + " (connection refused);"
          + " start one with: commbus node --config FILE, or point --node at it");
      return 1;
    } catch (HttpTimeoutException e) {
      err.println("commbus " + verb + ": the node at " + endpoint.resolve("/") + " did not answer in time");
      return 1;
    } catch (IOException e) {
      err.println("commbus " + verb + ": cannot reach a node at " + endpoint.resolve("/") + ": " + e);
      return 1;
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException | ClassCastException e) {
      err.println("commbus " + verb + ": HTTP " + response.statusCode() + " from " + endpoint + ": " + response.body());
      return 1;
    }
    if (response.statusCode() == 200) {
      out.println(answer.encode());
      return 0;
    }
    JsonObject error = answer.getJsonObject("error", new JsonObject());
    String remoteType = error.getString("remoteType");
    err.println("commbus " + verb + ": " + error.getString("code", "HTTP_" + response.statusCode()) + ": "
        + error.getString("message", response.body()) + (remoteType == null ? "" : " [" + remoteType + "]"));
    String trace = error.getString("remoteTrace");
    if (trace != null) {
      err.println(trace.stripTrailing());
    }
    return 1;
  }
}
