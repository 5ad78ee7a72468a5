package io.commbus.bench;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code java -jar commbus-bench.jar [--quick] [suite...]}: prints a markdown table of CommBus
 * against the raw Vert.x event bus. Exits 0 on success, 1 if a run failed, 2 on a bad command line.
 */
public final class BenchMain {

  private BenchMain() {
  }

  public static void main(String[] args) {
    // UTF-8 whatever the locale, so "µs" survives a terminal or file with a POSIX locale.
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.println(BenchOptions.USAGE);
      return 0;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.println(BenchOptions.USAGE);
      return 2;
    }
    try {
      // Progress goes to stderr so stdout is only the table and can be redirected into a file.
      Report report = new Bench(options, line -> err.println("[bench] " + line)).run();
      out.print(MarkdownTable.render(report));
      return 0;
    } catch (Throwable failure) {
      err.println("benchmark failed: " + failure);
      failure.printStackTrace(err);
      return 1;
    }
  }
}
