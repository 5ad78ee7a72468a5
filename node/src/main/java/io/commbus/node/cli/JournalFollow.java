package io.commbus.node.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code commbus journal tail --follow [--from POS] [--type T]... [--node URL | --config FILE]}:
 * the journal of a running node, followed through its admin API ({@code GET /subscribe} from a
 * position) and printed one record a line, in {@code journal tail}'s layout. Without
 * {@code --from} it starts after the node's last record ({@code /health}'s journal head), so
 * only what is appended next is shown, as {@code tail -f} would once caught up.
 */
final class JournalFollow {

  /** The help lines of the follow mode, for {@code journal --help}. */
  static final String HELP = "  tail --follow [--from POS] [--type T]... [--count N] [--node URL | --config FILE]\n"
      + "                     a running node's journal through its admin API (no --dir), one record a line\n"
      + "                     as it is appended, until interrupted or N records are shown: from position\n"
      + "                     POS on, or from the next record\n";

  private final Map<String, String> environment;

  JournalFollow(Map<String, String> environment) {
    this.environment = environment;
  }

  /** Runs {@code args}, the words after {@code tail}; returns the exit code. */
  int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    NodeTarget target;
    Set<String> types;
    String from;
    long count = Long.MAX_VALUE;
    try {
      Set<String> valued = new HashSet<>(NodeTarget.OPTIONS);
      valued.addAll(Set.of("--from", "--type", "--count"));
      CommandArgs parsed = CommandArgs.parse(args, valued, Set.of("--follow"));
      if (!parsed.positional().isEmpty()) {
        throw new CommandArgs.UsageError("unexpected argument '" + parsed.positional().get(0) + "'");
      }
      types = new LinkedHashSet<>(parsed.options("--type"));
      from = parsed.option("--from");
      if (from != null && !isPosition(from)) {
        throw new CommandArgs.UsageError("--from wants a whole number of at least 1, not '" + from + "'");
      }
      String most = parsed.option("--count");
      if (most != null) {
        if (!isPosition(most)) {
          throw new CommandArgs.UsageError("--count wants a whole number of at least 1, not '" + most + "'");
        }
        count = Long.parseLong(most);
      }
      target = NodeTarget.of(parsed, environment);
    } catch (CommandArgs.UsageError e) {
      err.println("commbus journal: " + e.getMessage());
      err.println("see: commbus journal --help");
      return Main.USAGE;
    }
    if (from == null) {
      Long head = head(target, err);
      if (head == null) {
        return 1;
      }
      from = Long.toString(head + 1);
    }
    StringBuilder path = new StringBuilder("subscribe?from=").append(from);
    for (String type : types) {
      path.append("&type=").append(URLEncoder.encode(type, StandardCharsets.UTF_8));
    }
    return new StreamedCall("journal", target).run(HttpRequest.newBuilder(target.endpoint(path.toString())).GET(),
        count, record -> JournalText.event(record.getJsonObject("event")), out, err);
  }

  private static boolean isPosition(String text) {
    try {
      return Long.parseLong(text) >= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The node's journal head, as its /health reports it (ready or not); null, the reason said, if it cannot be had. */
  private static Long head(NodeTarget target, PrintStream err) throws InterruptedException {
    HttpResponse<String> response;
    try {
      response = target.get("health", Duration.ofSeconds(10));
    } catch (IOException e) {
      target.unreachable("journal", e, err);
      return null;
    }
    try {
      JsonObject answer = new JsonObject(response.body());
      JsonObject journal = answer.getJsonObject("journal");
      if (journal == null || journal.getLong("head") == null) {
        target.refused("journal", response.statusCode(), answer, response.body(), err);
        return null;
      }
      return journal.getLong("head");
    } catch (DecodeException | ClassCastException e) {
      err.println("commbus journal: HTTP " + response.statusCode() + " from " + target.base() + "health: "
          + response.body());
      return null;
    }
  }
}
