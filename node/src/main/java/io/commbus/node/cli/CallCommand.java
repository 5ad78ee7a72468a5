package io.commbus.node.cli;

import io.commbus.bus.Category;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.Durations;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.AdminOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code commbus publish|send|query TYPE [JSON]}: one bus call through a running node's admin
 * API ({@code POST /publish}, {@code /send}, {@code /query}). Prints the node's JSON answer on
 * stdout; a failure prints its error code and message on stderr and exits 1. A node whose API
 * asks for a token gets it as {@code Authorization: Bearer}, from {@code --token-file}, else
 * {@code COMMBUS_ADMIN_TOKEN}, else the {@code admin.tokenFile} of {@code --config}.
 */
final class CallCommand implements Command {

  /** Where a node listens unless told otherwise: the default admin port on loopback. */
  static final String DEFAULT_NODE = "http://127.0.0.1:" + AdminOptions.DEFAULT_PORT;
  /**
   * The environment variable that holds the admin token. No {@code --token TOKEN}: a command
   * line is readable by every user of the machine ({@code ps}, /proc), an environment only by its owner.
   */
  static final String TOKEN_VARIABLE = "COMMBUS_ADMIN_TOKEN";

  /** Where to call and with which token, if any. */
  private record Target(URI endpoint, Optional<String> token) {
  }

  /** What the command asks of the bus; its verb is the command's name. */
  private final Category category;
  private final String verb;
  private final InputStream stdin;
  private final Map<String, String> environment;

  private CallCommand(Category category, InputStream stdin, Map<String, String> environment) {
    this.category = category;
    this.verb = category.verb();
    this.stdin = stdin;
    this.environment = environment;
  }

  static CallCommand publish(InputStream stdin, Map<String, String> environment) {
    return new CallCommand(Category.EVENT, stdin, environment);
  }

  static CallCommand send(InputStream stdin, Map<String, String> environment) {
    return new CallCommand(Category.COMMAND, stdin, environment);
  }

  static CallCommand query(InputStream stdin, Map<String, String> environment) {
    return new CallCommand(Category.QUERY, stdin, environment);
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
        + "  --config FILE    take the admin address, port and token file from this node configuration\n"
        + "  --token-file FILE  the admin token, for a node with admin.tokenFile (default: $" + TOKEN_VARIABLE + ",\n"
        + "                   else the token file of --config)\n"
        + "  --meta KEY=VALUE metadata carried as a header; repeatable\n"
        + extra
        + "Prints the node's answer on stdout: " + answer + ".\n"
        + "Exit codes: 0 done; 1 the call failed or the node cannot be reached (stderr says why, with the\n"
        + "error code: " + codes + ", ...); 2 the command line is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    JsonObject request;
    Target target;
    Duration wait;   // null: as long as the node's own bus timeouts allow
    try {
      Set<String> valued = new HashSet<>(Set.of("--node", "--config", "--meta", "--token-file"));
      if (category == Category.EVENT) {
        valued.add("--id");
      }
      if (category == Category.QUERY) {
        valued.add("--timeout");
      }
      CommandArgs parsed = CommandArgs.parse(args, valued, Set.of());
      request = request(parsed);
      target = target(parsed);
      wait = request.containsKey("timeoutMs") ? Duration.ofMillis(request.getLong("timeoutMs")) : null;
    } catch (CommandArgs.UsageError e) {
      err.println("commbus " + verb + ": " + e.getMessage());
      err.println("see: commbus " + verb + " --help");
      return Main.USAGE;
    }
    return call(target, request, wait, out, err);
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

  private Target target(CommandArgs parsed) throws CommandArgs.UsageError {
    String node = parsed.option("--node");
    String config = parsed.option("--config");
    if (node != null && config != null) {
      throw new CommandArgs.UsageError("give --node or --config, not both");
    }
    Optional<String> configured = Optional.empty();
    if (config != null) {
      try {
        AdminOptions admin = ConfigReader.read(Path.of(config)).getAdmin();
        node = "http://" + reachable(admin) + ":" + admin.getPort();
        configured = admin.getToken();
      } catch (ConfigException e) {
        throw new CommandArgs.UsageError(config + ": " + e.getMessage());
      }
    }
    if (node == null) {
      node = DEFAULT_NODE;
    }
    URI endpoint;
    try {
      URI base = URI.create(node.endsWith("/") ? node : node + "/");
      if (!"http".equals(base.getScheme()) || base.getHost() == null) {
        throw new IllegalArgumentException("not an http URL");
      }
      endpoint = base.resolve(verb);
    } catch (IllegalArgumentException e) {
      throw new CommandArgs.UsageError("--node wants the node's admin URL, like " + DEFAULT_NODE + ", not '" + node + "'");
    }
    Optional<String> given = token(parsed);
    return new Target(endpoint, given.isPresent() ? given : configured);
  }

  /** The token of {@code --token-file}, else of the environment; read by the node's own rules. */
  private Optional<String> token(CommandArgs parsed) throws CommandArgs.UsageError {
    String file = parsed.option("--token-file");
    if (file != null) {
      try {
        return Optional.of(AdminOptions.readToken("--token-file", Path.of(file)));
      } catch (InvalidSettingException e) {
        throw new CommandArgs.UsageError(e.setting() + ": " + e.problem());
      }
    }
    String variable = environment.get(TOKEN_VARIABLE);
    return variable == null || variable.isBlank() ? Optional.empty() : Optional.of(variable.strip());
  }

  /** The configured host as this machine reaches it: every interface includes loopback. */
  private static String reachable(AdminOptions admin) {
    Optional<InetAddress> literal = admin.literalHost();
    if (literal.isEmpty()) {
      return admin.getHost();
    }
    InetAddress address = literal.get();
    if (address.isAnyLocalAddress()) {
      return address instanceof Inet6Address ? "[::1]" : "127.0.0.1";
    }
    return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
  }

  private int call(Target target, JsonObject request, Duration wait, PrintStream out, PrintStream err)
      throws InterruptedException {
    URI endpoint = target.endpoint();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder post = HttpRequest.newBuilder(endpoint)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(request.encode()));
    target.token().ifPresent(token -> post.header("authorization", "Bearer " + token));
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
    if (response.statusCode() == 401) {
      err.println(target.token().isEmpty()
          ? "the node asks for its admin token: give --token-file FILE, or set " + TOKEN_VARIABLE
          : "the token given (--token-file, " + TOKEN_VARIABLE + " or the token file of --config) is not the node's");
    }
    return 1;
  }
}
