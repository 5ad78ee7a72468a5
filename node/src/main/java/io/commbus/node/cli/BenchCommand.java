package io.commbus.node.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * {@code commbus bench [--quick] [suite...]}: runs the benchmark harness and prints its ratio
 * table. The harness is a separate jar ({@code bench/target/commbus-bench.jar}) because it
 * depends on the node's own modules; the node never depends on it. The jar is built with Maven
 * from the repository when it is missing or older than the sources, then run in a JVM of its
 * own with this process's stdin, stdout and stderr.
 */
final class BenchCommand implements Command {

  static final String JAR = "bench/target/commbus-bench.jar";
  /** What the harness is built from; a newer file here means the jar is stale. */
  private static final List<String> SOURCES = List.of("pom.xml", "bench", "bus", "coordinator", "process-verticles",
      "adapters", "python-sdk/commbus");

  private final Supplier<Optional<Path>> home;

  BenchCommand() {
    this(CommbusHome::locate);
  }

  BenchCommand(Supplier<Optional<Path>> home) {
    this.home = home;
  }

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "run the benchmark harness and print its table of ratios to raw Vert.x and disk";
  }

  @Override
  public String help() {
    return "usage: commbus bench [--quick] [suite...]\n\n"
        + "Runs the benchmark harness and prints its markdown table of ratios (CommBus beside the raw\n"
        + "Vert.x event bus, the journals beside raw disk writes, dispatch beside a direct query, ...);\n"
        + "progress goes to stderr, so stdout can be redirected into a file. Without a suite, all run\n"
        + "(a few minutes).\n"
        + "  --quick   tiny sizes and one round, a smoke test: the numbers mean nothing\n"
        + "  suite     run only these suites (the harness lists them: java -jar " + JAR + " --help)\n"
        + "The harness is built from the repository (found through $" + CommbusHome.ENV + ", which ./commbus\n"
        + "sets) with Maven when " + JAR + " is missing or older than the sources.\n"
        + "Exit codes: the harness's own (0 done, 1 a run failed, 2 bad arguments); 1 when the repository,\n"
        + "Maven or the build is not available.";
  }

  @Override
  public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
    Optional<Path> found = home.get();
    if (found.isEmpty()) {
      err.println("commbus bench: cannot find the commbus repository to build the benchmark harness from; set "
          + CommbusHome.ENV + " to its root, or run ./commbus from the repository");
      return 1;
    }
    Path root = found.get();
    if (!Files.isRegularFile(root.resolve("bench/pom.xml"))) {
      err.println("commbus bench: " + root + " holds no benchmark harness (bench/pom.xml); set " + CommbusHome.ENV
          + " to the commbus repository's root");
      return 1;
    }
    Path jar = root.resolve(JAR);
    if (!Files.isRegularFile(jar) || stale(root, jar)) {
      int built = build(root, jar, err);
      if (built != 0) {
        return built;
      }
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    out.flush();
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }

  private static int build(Path root, Path jar, PrintStream err) throws IOException, InterruptedException {
    Optional<Path> maven = onPath("mvn");
    if (maven.isEmpty()) {
      err.println("commbus bench: Maven (mvn) is needed to build the benchmark harness (" + JAR + " is "
          + (Files.exists(jar) ? "older than the sources" : "missing") + "); install Maven or build it elsewhere");
      return 1;
    }
    err.println("commbus bench: building the benchmark harness (" + JAR + ")...");
    err.flush();
    int status = new ProcessBuilder(maven.get().toString(), "-B", "-q", "-ntp", "-f", root.resolve("pom.xml").toString(),
        "-pl", "bench", "-am", "package", "-DskipTests").inheritIO().start().waitFor();
    if (status != 0 || !Files.isRegularFile(jar)) {
      err.println("commbus bench: the build failed (mvn exit status " + status + ")");
      return 1;
    }
    return 0;
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String directory : path.split(File.pathSeparator)) {
      Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether a source the harness is built from changed after the jar was. */
  static boolean stale(Path root, Path jar) throws IOException {
    FileTime built = Files.getLastModifiedTime(jar);
    for (String source : SOURCES) {
      Path start = root.resolve(source);
      if (!Files.exists(start)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(start)) {
        boolean newer = files.filter(BenchCommand::isSource).anyMatch(file -> {
          try {
            return Files.getLastModifiedTime(file).compareTo(built) > 0;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
        if (newer) {
          return true;
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
    }
    return false;
  }

  private static boolean isSource(Path file) {
    String text = file.toString().replace(File.separatorChar, '/');
    if (text.contains("/target/") || !Files.isRegularFile(file)) {
      return false;
    }
    String name = file.getFileName().toString();
    return name.endsWith(".java") || name.equals("pom.xml") || name.endsWith(".py")
        || text.contains("/src/main/resources/");
  }
}
