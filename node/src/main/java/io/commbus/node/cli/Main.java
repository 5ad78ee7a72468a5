package io.commbus.node.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The {@code commbus} command line: picks a command and runs it. */
public final class Main {

  /** Exit code for a command line that cannot be understood. */
  public static final int USAGE = 2;

  private final Map<String, Command> commands = new LinkedHashMap<>();

  Main() {
    this(System.in);
  }

  /** With {@code stdin} as what commands read for {@code -} (a payload, say). */
  public Main(InputStream stdin) {
    this(stdin, System.getenv());
  }

  /** With {@code stdin} and {@code environment} as the commands see them ({@code COMMBUS_ADMIN_TOKEN}). */
  public Main(InputStream stdin, Map<String, String> environment) {
    register(new NodeCommand());
    register(CallCommand.publish(stdin, environment));
    register(CallCommand.send(stdin, environment));
    register(CallCommand.query(stdin, environment));
    register(new SubCommand(environment));
    register(new DemoCommand());
    register(new JournalCommand(environment));
    register(new StubsCommand(environment));
    register(new SessionCommand(environment));
    register(new BenchCommand());
  }

  private void register(Command command) {
    commands.put(command.name(), command);
  }

  public static void main(String[] args) {
    int code = new Main().run(List.of(args), System.out, System.err);
    System.exit(code);
  }

  /** Runs the command {@code args} names, printing to {@code out} and {@code err}; returns the exit code. */
  public int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.size() == 1 && (args.get(0).equals("--version") || args.get(0).equals("version"))) {
      out.println("commbus " + version());
      return 0;
    }
    if (args.isEmpty() || isHelp(args.get(0)) || args.get(0).equals("help")) {
      if (args.size() > 1 && commands.containsKey(args.get(1))) {
        out.println(commands.get(args.get(1)).help());
      } else {
        out.println(usage());
      }
      return args.isEmpty() ? USAGE : 0;
    }
    Command command = commands.get(args.get(0));
    if (command == null) {
      err.println("commbus: unknown command '" + args.get(0) + "'");
      err.println(usage());
      return USAGE;
    }
    List<String> rest = args.subList(1, args.size());
    if (rest.stream().anyMatch(Main::isHelp)) {
      out.println(command.help());
      return 0;
    }
    try {
      return command.run(rest, out, err);
    } catch (Exception e) {
      err.println("commbus " + command.name() + ": " + e);
      return 1;
    }
  }

  /** The version the build wrote into {@code version.properties}. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // Reported as unknown below, like a missing file.
    }
    return properties.getProperty("version", "(version unknown: built without its version.properties)");
  }

  static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h");
  }

  String usage() {
    StringBuilder text = new StringBuilder()
        .append("commbus: an event-sourced message bus on Eclipse Vert.x\n\n")
        .append("usage: commbus <command> [options]\n\n")
        .append("commands:\n");
    commands.values().forEach(c -> text.append(String.format("  %-10s %s%n", c.name(), c.summary())));
    text.append(String.format("  %-10s %s%n", "help", "show this list, or a command's help (commbus help demo)"));
    text.append(String.format("  %-10s %s%n", "--version", "print the version"));
    text.append("\nEvery command takes --help.");
    return text.toString();
  }
}
