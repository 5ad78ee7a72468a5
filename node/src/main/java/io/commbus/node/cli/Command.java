package io.commbus.node.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of the {@code commbus} command line. */
interface Command {

  /** The word that selects it ({@code demo}). */
  String name();

  /** One line for the command list. */
  String summary();

  /** The text {@code commbus NAME --help} prints. */
  String help();

  /** Runs it; the result is the process exit code. */
  int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
