package io.commbus.node.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The parsed command line of {@code commbus journal}: a subcommand, {@code --dir} and, for
 * {@code tail}, where to start and which types to show. Options take their value as the next
 * word or after {@code =}. Anything it cannot make sense of is a {@link UsageError}.
 */
final class JournalArgs {

  /** What {@code commbus journal} does; the command line spells each in lower case. */
  enum Subcommand {
    STATS, TAIL, VERIFY;

    private final String word = name().toLowerCase(Locale.ROOT);

    /** How the command line spells it. */
    String word() {
      return word;
    }

    /** The subcommand spelt {@code word}; null for none. */
    static Subcommand of(String word) {
      for (Subcommand subcommand : values()) {
        if (subcommand.word.equals(word)) {
          return subcommand;
        }
      }
      return null;
    }
  }

  static final List<String> SUBCOMMANDS = Arrays.stream(Subcommand.values()).map(Subcommand::word).toList();
  /** How many records {@code tail} shows when neither --from nor --last is given, as tail(1) does. */
  static final int DEFAULT_LAST = 10;

  /** A command line that cannot be run; its message says why. */
  static final class UsageError extends Exception {
    UsageError(String message) {
      super(message);
    }
  }

  final Subcommand subcommand;
  Path dir;
  Long from;
  Integer last;
  final Set<String> types = new LinkedHashSet<>();

  private JournalArgs(Subcommand subcommand) {
    this.subcommand = subcommand;
  }

  static JournalArgs parse(List<String> args) throws UsageError {
    if (args.isEmpty()) {
      throw new UsageError("which one: " + String.join(", ", SUBCOMMANDS) + "?");
    }
    Subcommand subcommand = Subcommand.of(args.get(0));
    if (subcommand == null) {
      throw new UsageError("unknown subcommand '" + args.get(0) + "'; use one of " + String.join(", ", SUBCOMMANDS));
    }
    JournalArgs parsed = new JournalArgs(subcommand);
    for (int i = 1; i < args.size(); i++) {
      String arg = args.get(i);
      int equals = arg.indexOf('=');
      String option = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
      String value;
      if (option.length() < arg.length()) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageError(arg.startsWith("--") ? option + " needs a value" : "unexpected argument '" + arg + "'");
      }
      parsed.set(option, value);
    }
    parsed.check();
    return parsed;
  }

  private void set(String option, String value) throws UsageError {
    boolean tail = subcommand == Subcommand.TAIL;
    if (option.equals("--dir")) {
      dir = Path.of(value);
    } else if (tail && option.equals("--from")) {
      from = number(option, value);
    } else if (tail && option.equals("--last")) {
      long n = number(option, value);
      last = (int) Math.min(n, Integer.MAX_VALUE);
    } else if (tail && option.equals("--type")) {
      types.add(value);
    } else {
      throw new UsageError(option.startsWith("--") ? "journal " + subcommand.word() + " has no option " + option
          : "unexpected argument '" + option + "'");
    }
  }

  private static long number(String option, String value) throws UsageError {
    try {
      long n = Long.parseLong(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, like a number that is too small
    }
    throw new UsageError(option + " wants a whole number of at least 1, not '" + value + "'");
  }

  private void check() throws UsageError {
    if (dir == null) {
      throw new UsageError("--dir DIR is required: the journal's directory");
    }
    if (!Files.exists(dir)) {
      throw new UsageError("no such directory: " + dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new UsageError("not a directory: " + dir);
    }
    if (from != null && last != null) {
      throw new UsageError("give --from or --last, not both");
    }
    if (subcommand == Subcommand.TAIL && from == null && last == null) {
      last = DEFAULT_LAST;
    }
  }
}
