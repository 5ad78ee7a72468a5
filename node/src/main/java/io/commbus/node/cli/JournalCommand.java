package io.commbus.node.cli;

import io.commbus.bus.journal.file.JournalInspector;
import io.commbus.bus.journal.file.JournalProblem;
import io.commbus.bus.journal.file.JournalStats;
import io.commbus.bus.journal.file.VerifyReport;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code commbus journal stats|tail|verify --dir DIR}: looks into a file journal directory
 * through the read-only {@link JournalInspector}, so it is safe on a damaged journal and
 * beside a running node. Blocks the main thread while it reads; there is no event loop here.
 */
final class JournalCommand implements Command {

  private final JournalFollow follow;

  JournalCommand(Map<String, String> environment) {
    this.follow = new JournalFollow(environment);
  }

  @Override
  public String name() {
    return "journal";
  }

  @Override
  public String summary() {
    return "look into a file journal directory, read-only: stats, tail, verify; or follow a node's";
  }

  @Override
  public String help() {
    return "usage: commbus journal stats|tail|verify --dir DIR [options]\n\n"
        + "       commbus journal tail --follow [options]\n\n"
        + "Reads a file journal directory without changing it (no file is written, cut or created),\n"
        + "or follows a running node's journal, whatever its kind, through the node's admin API.\n"
        + "  stats  --dir DIR   segments, bytes, first and last position, records per type, time span\n"
        + "  tail   --dir DIR [--from POS | --last N] [--type T]...\n"
        + "                     records in order, one a line: from position POS on, or the last N\n"
        + "                     (the last " + JournalArgs.DEFAULT_LAST + " without either); --type T, repeatable,\n"
        + "                     shows only those types\n"
        + JournalFollow.HELP
        + "  verify --dir DIR   checks segment headers, record lengths, CRC32C, record layout, dense\n"
        + "                     positions, the .idx files and their end-of-segment markers, as opening the\n"
        + "                     journal judges them; lists each problem with its file, byte offset and position\n"
        + "Exit codes: 0 all records readable; 1 problems found (damaged records are never shown);\n"
        + "2 usage error (no --dir, no such directory, no segments in it, unknown option).";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
    if (!args.isEmpty() && args.get(0).equals(JournalArgs.Subcommand.TAIL.word()) && args.contains("--follow")) {
      return follow.run(args.subList(1, args.size()), out, err);
    }
    JournalArgs parsed;
    JournalInspector inspector;
    try {
      parsed = JournalArgs.parse(args);
      inspector = new JournalInspector(parsed.dir);
      if (inspector.segmentFiles().isEmpty()) {
        throw new JournalArgs.UsageError("no journal segments (*.seg) in " + parsed.dir);
      }
    } catch (JournalArgs.UsageError e) {
      err.println("commbus journal: " + e.getMessage());
      err.println("see: commbus journal --help");
      return Main.USAGE;
    }
    switch (parsed.subcommand) {
      case STATS:
        return stats(parsed, inspector, out);
      case TAIL:
        return tail(parsed, inspector, out, err);
      default:
        return verify(parsed, inspector, out);
    }
  }

  private static int stats(JournalArgs args, JournalInspector inspector, PrintStream out) throws IOException {
    JournalStats stats = inspector.stats();
    JournalText.stats(args.dir, stats).forEach(out::println);
    return stats.problems().isEmpty() ? 0 : 1;
  }

  private static int tail(JournalArgs args, JournalInspector inspector, PrintStream out, PrintStream err)
      throws IOException {
    List<JournalProblem> problems = args.from != null
        ? inspector.tail(args.from, args.types, 0, r -> out.println(JournalText.record(r)))
        : inspector.last(args.last, args.types, r -> out.println(JournalText.record(r)));
    if (problems.isEmpty()) {
      return 0;
    }
    // After the records, on stderr: the records shown are good, but some could not be read.
    err.println("commbus journal tail: damaged records were skipped; " + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + ":");
    problems.forEach(p -> err.println("  " + p));
    return 1;
  }

  private static int verify(JournalArgs args, JournalInspector inspector, PrintStream out) throws IOException {
    VerifyReport report = inspector.verify();
    report.problems().forEach(out::println);
    out.println(JournalText.verifySummary(args.dir, report));
    return report.clean() ? 0 : 1;
  }
}
