package io.commbus.node.cli;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.NodeStubs;
import io.commbus.node.config.ConfigReader;
import io.commbus.process.stubs.PythonStubs;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code commbus stubs --config FILE --out DIR}: typed Python for a node's callbacks and pools
 * ({@link PythonStubs}), from its configuration, or with {@code --node URL} from a running node.
 */
final class StubsCommand implements Command {

  private static final String OUT = "--out";
  private static final String DATACLASSES = "--dataclasses";

  private final Map<String, String> environment;

  StubsCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "stubs";
  }

  @Override
  public String summary() {
    return "typed Python for a node's callbacks and pools: commbus stubs --config FILE --out DIR";
  }

  @Override
  public String help() {
    return "usage: commbus stubs --config FILE --out DIR [--dataclasses]\n"
        + "       commbus stubs --node URL --out DIR [--dataclasses] [--token-file FILE]\n\n"
        + "Writes typed Python for the node's callback handlers and pools into DIR, for mypy and IDEs:\n"
        + "  DIR/commbus/                    the SDK, as this commbus carries it\n"
        + "  DIR/" + PythonStubs.CALLBACKS_STUB + "  commbus.<module>.<Type>(request) for each callback,\n"
        + "                                  typed with its Java request and item types\n"
        + "  DIR/" + PythonStubs.TYPES_MODULE + ".py                a TypedDict per Java type, and <Pool>Request and\n"
        + "                                  <Pool>Reply for each pool's requestType and replyType\n\n"
        + "Check a worker with MYPYPATH=DIR mypy --strict worker.py; add DIR to the pool's pythonPath so the\n"
        + "worker can import " + PythonStubs.TYPES_MODULE + " when it runs.\n\n"
        + "  --config FILE    read the node configuration FILE (its callbackHandlers, classPath and pools)\n"
        + "  --node URL       ask the running node at URL instead (GET /stubs)\n"
        + "  --token-file FILE  the admin token, for a node with admin.tokenFile (default: $"
        + NodeTarget.TOKEN_VARIABLE + ")\n"
        + "  --out DIR        where to write (created if missing; the files named above are replaced)\n"
        + "  --dataclasses    also write a dataclass per TypedDict (<Name>Data, with from_dict and to_dict)\n\n"
        + "Exit codes: 1 the configuration is wrong, the node cannot be reached or refused, or DIR cannot be\n"
        + "written; 2 the command line is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    CommandArgs parsed;
    Path directory;
    try {
      Set<String> valued = new HashSet<>(NodeTarget.OPTIONS);
      valued.add(OUT);
      parsed = CommandArgs.parse(args, valued, Set.of(DATACLASSES));
      if (!parsed.positional().isEmpty()) {
        throw new CommandArgs.UsageError("unexpected argument '" + parsed.positional().get(0) + "'");
      }
      if (parsed.option(OUT) == null) {
        throw new CommandArgs.UsageError("where to? give --out DIR");
      }
      if ((parsed.option("--config") == null) == (parsed.option("--node") == null)) {
        throw new CommandArgs.UsageError("give --config FILE (from a configuration) or --node URL (from a running "
            + "node), one of them");
      }
      directory = Path.of(parsed.option(OUT));
    } catch (CommandArgs.UsageError e) {
      err.println("commbus stubs: " + e.getMessage());
      err.println("see: commbus stubs --help");
      return Main.USAGE;
    }
    boolean dataclasses = parsed.flag(DATACLASSES);
    Map<String, String> files;
    if (parsed.option("--config") != null) {
      Path config = Path.of(parsed.option("--config"));
      try {
        files = NodeStubs.of(ConfigReader.read(config), "the node of " + config, dataclasses).files();
      } catch (ConfigException e) {
        err.println("commbus stubs: " + config + ": " + e.getMessage());
        return 1;
      }
    } else {
      files = fromNode(parsed, dataclasses, err);
      if (files == null) {
        return 1;
      }
    }
    try {
      List<Path> written = PythonStubs.write(directory, files);
      out.println("wrote " + String.join(", ", written.stream().map(Path::toString).toList()) + " and the SDK ("
          + directory.resolve("commbus") + ")");
      out.println("check a worker with: MYPYPATH=" + directory + " mypy --strict worker.py");
      return 0;
    } catch (UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
      err.println("commbus stubs: cannot write into " + directory + ": " + e.getMessage());
      return 1;
    }
  }

  /** The files the running node writes for its stubs; null, the reason said, when it cannot be had. */
  private Map<String, String> fromNode(CommandArgs parsed, boolean dataclasses, PrintStream err)
      throws InterruptedException {
    NodeTarget target;
    try {
      target = NodeTarget.of(parsed, environment);
    } catch (CommandArgs.UsageError e) {
      err.println("commbus stubs: " + e.getMessage());
      return null;
    }
    HttpResponse<String> response;
    try {
      response = target.get("stubs" + (dataclasses ? "?dataclasses=true" : ""), Duration.ofSeconds(30));
    } catch (IOException e) {
      target.unreachable(name(), e, err);
      return null;
    }
    JsonObject answer;
    try {
      answer = new JsonObject(response.body());
    } catch (DecodeException e) {
      err.println("commbus stubs: HTTP " + response.statusCode() + " from " + target.endpoint("stubs") + ": "
          + response.body());
      return null;
    }
    if (response.statusCode() != 200 || answer.getJsonObject("files") == null) {
      target.refused(name(), response.statusCode(), answer, response.body(), err);
      return null;
    }
    Map<String, String> files = new LinkedHashMap<>();
    answer.getJsonObject("files").forEach(file -> files.put(file.getKey(), String.valueOf(file.getValue())));
    return files;
  }
}
