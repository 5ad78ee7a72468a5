package io.commbus.node.cli;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.ConfigReader;
import io.commbus.process.pipeline.PipelineSpec;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code commbus session create|list|status|terminate}: a running node's pipeline sessions,
 * through its admin API ({@code /sessions}).
 */
final class SessionCommand implements Command {

  /** How long a create may wait: the spec's init timeout, which the node keeps, and a margin. */
  private static final Duration CREATE_WAIT = Duration.ofSeconds(300);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Set<String> VALUED = Set.of("--spec", "--pipeline", "--id");

  private final Map<String, String> environment;

  SessionCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "session";
  }

  @Override
  public String summary() {
    return "a running node's pipeline sessions: create --spec FILE, list, status ID, terminate ID";
  }

  @Override
  public String help() {
    return "usage: commbus session create --spec FILE | --pipeline NAME [--id ID] [options]\n"
        + "       commbus session list|status ID|terminate ID [options]\n\n"
        + "  create     starts a session on the node and waits until every node of it is ready: of the\n"
        + "             pipeline spec in FILE (JSON, or YAML for .yaml/.yml; checked here first), or of the\n"
        + "             pipeline NAME of the node's configuration; --id names it (default: the pipeline's\n"
        + "             name and six random hex digits)\n"
        + "  list       the sessions the node runs: id, pipeline, state, nodes, ready time\n"
        + "  status ID  a session's status as JSON, wherever in the cluster it runs\n"
        + "  terminate ID  stops every node of the session and removes its channels\n\n"
        + NodeTarget.HELP
        + "\nExit codes: 0 done; 1 the node refused (INIT_TIMEOUT, NODE_CRASHED, RESOURCE_LIMIT,\n"
        + "SESSION_NOT_FOUND, ...) or cannot be reached; 2 the command line or the spec is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CommandArgs parsed;
    NodeTarget target;
    String verb;
    try {
      Set<String> valued = new HashSet<>(NodeTarget.OPTIONS);
      valued.addAll(VALUED);
      parsed = CommandArgs.parse(args, valued, Set.of());
      if (parsed.positional().isEmpty()) {
        throw new CommandArgs.UsageError("what? create, list, status ID or terminate ID");
      }
      verb = parsed.positional().get(0);
      target = NodeTarget.of(parsed, environment);
    } catch (CommandArgs.UsageError e) {
      return usage(e.getMessage(), err);
    }
    try {
      return switch (verb) {
        case "create" -> create(parsed, target, out, err);
        case "list" -> list(onlyVerb(parsed), target, out, err);
        case "status" -> show(target, "GET", id(parsed), out, err);
        case "terminate" -> show(target, "DELETE", id(parsed), out, err);
        default -> throw new CommandArgs.UsageError("unknown subcommand '" + verb + "'; use create, list, status "
            + "or terminate");
      };
    } catch (CommandArgs.UsageError e) {
      return usage(e.getMessage(), err);
    }
  }

  private static int usage(String message, PrintStream err) {
    err.println("commbus session: " + message);
    err.println("see: commbus session --help");
    return Main.USAGE;
  }

  private static CommandArgs onlyVerb(CommandArgs parsed) throws CommandArgs.UsageError {
    if (parsed.positional().size() > 1) {
      throw new CommandArgs.UsageError("unexpected argument '" + parsed.positional().get(1) + "'");
    }
    return parsed;
  }

  private static String id(CommandArgs parsed) throws CommandArgs.UsageError {
    if (parsed.positional().size() != 2) {
      throw new CommandArgs.UsageError("which session? commbus session " + parsed.positional().get(0) + " ID");
    }
    return parsed.positional().get(1);
  }

  private int create(CommandArgs parsed, NodeTarget target, PrintStream out, PrintStream err)
      throws CommandArgs.UsageError, InterruptedException {
    onlyVerb(parsed);
    String file = parsed.option("--spec");
    String pipeline = parsed.option("--pipeline");
    if ((file == null) == (pipeline == null)) {
      throw new CommandArgs.UsageError("give --spec FILE or --pipeline NAME, one of them");
    }
    JsonObject request = new JsonObject();
    String name = pipeline;
    if (file != null) {
      try {
        JsonObject spec = ConfigReader.document(Path.of(file));
        name = PipelineSpec.read(spec).name();  // checked here: its errors name the file's fields
        request.put("spec", spec);
      } catch (ConfigException e) {
        throw new CommandArgs.UsageError(file + ": " + e.getMessage());
      }
    } else {
      request.put("pipeline", pipeline);
    }
    String id = parsed.option("--id") != null ? parsed.option("--id") : name.replace('.', '-') + "-" + randomSuffix();
    request.put("id", id);
    JsonObject status = call(target, "POST", "sessions", request, CREATE_WAIT, err);
    if (status == null) {
      return 1;
    }
    out.println("session " + id + " of pipeline " + status.getString("pipeline") + " is running: "
        + status.getJsonArray("nodes", new JsonArray()).size() + " nodes ready in " + status.getLong("readyMillis")
        + " ms");
    out.println("  inputs:  " + ports(status.getJsonArray("inputs")));
    out.println("  outputs: " + ports(status.getJsonArray("outputs")));
    return 0;
  }

  private static String randomSuffix() {
    byte[] bytes = new byte[3];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String ports(JsonArray ports) {
    return ports == null || ports.isEmpty() ? "none" : String.join(", ", ports.stream().map(String::valueOf).toList());
  }

  private int list(CommandArgs parsed, NodeTarget target, PrintStream out, PrintStream err)
      throws InterruptedException {
    JsonObject answer = call(target, "GET", "sessions", null, WAIT, err);
    if (answer == null) {
      return 1;
    }
    JsonArray sessions = answer.getJsonArray("sessions", new JsonArray());
    if (sessions.isEmpty()) {
      out.println("no sessions run on the node");
      return 0;
    }
    out.println(String.format("%-24s %-16s %-9s %5s %9s", "ID", "PIPELINE", "STATE", "NODES", "READY MS"));
    for (Object entry : sessions) {
      JsonObject session = (JsonObject) entry;
      out.println(String.format("%-24s %-16s %-9s %5d %9d", session.getString("id"), session.getString("pipeline"),
          session.getString("state"), session.getJsonArray("nodes", new JsonArray()).size(),
          session.getLong("readyMillis", -1L)));
    }
    return 0;
  }

  private int show(NodeTarget target, String method, String id, PrintStream out, PrintStream err)
      throws InterruptedException {
    JsonObject status = call(target, method, "sessions/" + id, null, WAIT, err);
    if (status == null) {
      return 1;
    }
    out.println(status.encodePrettily());
    return 0;
  }

  /** The node's JSON answer; null, with the reason said on {@code err}, when it refused or cannot be reached. */
  private JsonObject call(NodeTarget target, String method, String endpoint, JsonObject body, Duration wait,
                          PrintStream err) throws InterruptedException {
    HttpResponse<String> response;
    try {
      response = target.send(method, endpoint, body, wait);
    } catch (IOException e) {
      target.unreachable(name(), e, err);
      return null;
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException e) {
      err.println("commbus session: HTTP " + response.statusCode() + " from " + target.endpoint(endpoint) + ": "
          + response.body());
      return null;
    }
    if (response.statusCode() / 100 != 2) {
      target.refused(name(), response.statusCode(), answer, response.body(), err);
      return null;
    }
    return answer;
  }
}
