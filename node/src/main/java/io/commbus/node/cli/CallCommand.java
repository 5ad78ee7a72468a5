package io.commbus.node.cli;

import io.commbus.bus.Category;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.Durations;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code commbus publish|send|query TYPE [JSON]}: one bus call through a running node's admin
 * API ({@code POST /publish}, {@code /send}, {@code /query}). Prints the node's JSON answer on
 * stdout; a failure prints its error code and message on stderr and exits 1. A node whose API
 * asks for a token gets it as {@code Authorization: Bearer}, from {@code --token-file}, else
 * {@code COMMBUS_ADMIN_TOKEN}, else the {@code admin.tokenFile} of {@code --config} ({@link NodeTarget}).
 */
final class CallCommand implements Command {

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
            + "                   node's bus.queryTimeout)\n"
            + "  --stream         for a handler that answers with a stream: print each item as a JSON line as it\n"
            + "                   comes ({\"item\":...}), and exit 0 at the stream's end\n";
        codes = "NO_HANDLER, TIMEOUT, HANDLER_FAILED";
    }
    return "usage: commbus " + verb + " TYPE [JSON] [--node URL | --config FILE] [options]\n\n"
        + what + "\n"
        + "  JSON             the payload, a JSON object (default {}); - reads it from stdin\n"
        + NodeTarget.HELP
        + "  --meta KEY=VALUE metadata carried as a header; repeatable\n"
        + extra
        + "Prints the node's answer on stdout: " + answer + ".\n"
        + "Exit codes: 0 done; 1 the call failed or the node cannot be reached (stderr says why, with the\n"
        + "error code: " + codes + ", ...); 2 the command line is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    JsonObject request;
    NodeTarget target;
    boolean stream;
    Duration wait;   // null: as long as the node's own bus timeouts allow
    try {
      Set<String> valued = new HashSet<>(NodeTarget.OPTIONS);
      valued.add("--meta");
      if (category == Category.EVENT) {
        valued.add("--id");
      }
      if (category == Category.QUERY) {
        valued.add("--timeout");
      }
      CommandArgs parsed = CommandArgs.parse(args, valued,
          category == Category.QUERY ? Set.of("--stream") : Set.of());
      request = request(parsed);
      target = NodeTarget.of(parsed, environment);
      stream = parsed.flag("--stream");
      wait = request.containsKey("timeoutMs") ? Duration.ofMillis(request.getLong("timeoutMs")) : null;
    } catch (CommandArgs.UsageError e) {
      err.println("commbus " + verb + ": " + e.getMessage());
      err.println("see: commbus " + verb + " --help");
      return Main.USAGE;
    }
    if (stream) {
      HttpRequest.Builder post = HttpRequest.newBuilder(target.endpoint("queryStream"))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request.encode()));
      return new StreamedCall(verb, target).run(post, out, err);
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

  private int call(NodeTarget target, JsonObject request, Duration wait, PrintStream out, PrintStream err)
      throws InterruptedException {
    URI endpoint = target.endpoint(verb);
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
    } catch (IOException e) {
      target.unreachable(verb, e, err);
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
    target.refused(verb, response.statusCode(), answer, response.body(), err);
    if (category == Category.QUERY && "PROTOCOL".equals(answer.getJsonObject("error", new JsonObject()).getString("code"))
        && response.body().contains("stream")) {
      err.println("its handler answers with a stream: add --stream to print the items as they come");
    }
    return 1;
  }
}
