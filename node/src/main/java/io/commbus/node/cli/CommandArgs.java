package io.commbus.node.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command line split into options and positional words. Options take their value as the
 * next word or after {@code =} ({@code --node=http://...}); flags take none. Anything not
 * declared is a {@link UsageError}, so a typo never passes for a value.
 */
final class CommandArgs {

  /** A command line that cannot be run; its message says why. */
  static final class UsageError extends Exception {
    UsageError(String message) {
      super(message);
    }
  }

  private final Map<String, List<String>> options = new LinkedHashMap<>();
  private final List<String> flags = new ArrayList<>();
  private final List<String> positional = new ArrayList<>();

  private CommandArgs() {
  }

  /** Splits {@code args}; {@code valued} options take a value, {@code flags} do not. */
  static CommandArgs parse(List<String> args, Set<String> valued, Set<String> flags) throws UsageError {
    CommandArgs parsed = new CommandArgs();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--") || arg.equals("--")) {
        parsed.positional.add(arg);
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals > 0 ? arg.substring(0, equals) : arg;
      if (flags.contains(name)) {
        if (equals > 0) {
          throw new UsageError(name + " takes no value");
        }
        parsed.flags.add(name);
      } else if (valued.contains(name)) {
        String value;
        if (equals > 0) {
          value = arg.substring(equals + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageError(name + " needs a value");
        }
        parsed.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      } else {
        throw new UsageError("unknown option " + name);
      }
    }
    return parsed;
  }

  /** The last value given for {@code name}, or null. */
  String option(String name) {
    List<String> values = options.get(name);
    return values == null ? null : values.get(values.size() - 1);
  }

  List<String> options(String name) {
    return options.getOrDefault(name, List.of());
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  List<String> positional() {
    return positional;
  }

  /** A port number option; null when it was not given. */
  Integer port(String name) throws UsageError {
    String value = option(name);
    if (value == null) {
      return null;
    }
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new UsageError(name + " wants a port number from 0 to 65535, not '" + value + "'");
  }
}
