package io.commbus.node.cli;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code commbus sub TYPE [--from POSITION]}: follows the events of a type through a running
 * node's {@code GET /subscribe}, one JSON line per event, until interrupted or the node lets go.
 */
final class SubCommand implements Command {

  private final Map<String, String> environment;

  SubCommand(Map<String, String> environment) {
    this.environment = environment;
  }

  @Override
  public String name() {
    return "sub";
  }

  @Override
  public String summary() {
    return "follow the events of a type through a running node: commbus sub TYPE [--from POSITION]";
  }

  @Override
  public String help() {
    return "usage: commbus sub TYPE [--count N] [--node URL | --config FILE] [options]\n"
        + "       commbus sub [TYPE]... --from POSITION [--count N] [...]\n\n"
        + "Follows the events of type TYPE as the node delivers them, printing each as one JSON line:\n"
        + "{\"event\":{\"position\":N,\"id\":...,\"type\":...,\"timestamp\":...,\"body\":...,\"metadata\":{...}}}.\n"
        + "Runs until interrupted (Ctrl-C).\n\n"
        + "  --from POSITION  start at this journal position: the journal's events from there, then live\n"
        + "                   ones, with no gap and no duplicate (default: live events only); with it, any\n"
        + "                   number of types, none for every type: commbus sub --from 1 follows the journal\n"
        + "  --count N        stop after N events (exit 0)\n"
        + NodeTarget.HELP
        + "Exit codes: 1 the node cannot be reached, refused, or let go of this subscriber (it fell\n"
        + "behind: OVERLOADED, with the position to resume from); 2 the command line is wrong.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    String path;
    NodeTarget target;
    long count = Long.MAX_VALUE;
    try {
      Set<String> valued = new HashSet<>(NodeTarget.OPTIONS);
      valued.add("--from");
      valued.add("--count");
      CommandArgs parsed = CommandArgs.parse(args, valued, Set.of());
      List<String> words = parsed.positional();
      String from = parsed.option("--from");
      if (from == null && words.size() != 1) {
        throw new CommandArgs.UsageError(words.isEmpty() ? "which type? commbus sub TYPE"
            : "live events are followed one type at a time; several types, or every type, with --from POSITION");
      }
      StringBuilder query = new StringBuilder("subscribe?");
      for (String type : words) {
        query.append("type=").append(URLEncoder.encode(type, StandardCharsets.UTF_8)).append('&');
      }
      path = query.toString();
      if (from != null) {
        try {
          if (Long.parseLong(from) < 1) {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          throw new CommandArgs.UsageError("--from wants a journal position, a whole number from 1; was '" + from + "'");
        }
        path += "from=" + from;
      }
      if (parsed.option("--count") != null) {
        try {
          count = Long.parseLong(parsed.option("--count"));
          if (count < 1) {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          throw new CommandArgs.UsageError("--count wants a whole number from 1; was '" + parsed.option("--count") + "'");
        }
      }
      target = NodeTarget.of(parsed, environment);
    } catch (CommandArgs.UsageError e) {
      err.println("commbus sub: " + e.getMessage());
      err.println("see: commbus sub --help");
      return Main.USAGE;
    }
    return new StreamedCall(name(), target).run(HttpRequest.newBuilder(target.endpoint(path)).GET(), count, out, err);
  }
}
