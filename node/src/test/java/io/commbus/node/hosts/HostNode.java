package io.commbus.node.hosts;

import io.commbus.node.TestConfigs;
import io.commbus.node.cli.Main;
import io.commbus.testhosts.HostProcess;
import io.commbus.testhosts.SystemCommand;
import io.commbus.testhosts.TestHost;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code commbus node} process on a test host, and its admin API. The admin API listens on
 * the host's address with a bearer token; calls are made from inside a host, its own or another,
 * by {@code admin_call.py}.
 */
final class HostNode implements AutoCloseable {

  /** A call of the admin API: the status, how long it took inside the host, the JSON body. */
  record Reply(int status, double ms, JsonObject body) {
  }

  private static final Pattern READY = Pattern.compile("commbus node ready in (\\d+) ms: admin (http://[0-9.]+:\\d+)");
  private static final Path ADMIN_CALL = TestConfigs.PYTHON.resolve("admin_call.py");
  /** Hazelcast's membership and merge messages too, for the host logs a run leaves behind. */
  private static final Path LOGGING = TestConfigs.PYTHON.resolveSibling("host-logging.properties");
  /** Above the admin API's own request timeout, so a slow answer shows as the node's, not as ours. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);

  private final TestHost host;
  private final Path config;
  private final Path tokenFile;
  private final HostProcess process;
  private String admin;
  private long readyMillis;

  private HostNode(TestHost host, Path config, Path tokenFile, HostProcess process) {
    this.host = host;
    this.config = config;
    this.tokenFile = tokenFile;
    this.process = process;
  }

  /**
   * Starts {@code commbus node --config config} on the host, with the test class path (the
   * node's and the tests'); its admin API asks for the token in {@code tokenFile}.
   */
  static HostNode start(TestHost host, Path config, Path tokenFile) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Three nodes share the machine's two cores: a serial collector adds no GC threads to the contest.
        "-cp", System.getProperty("java.class.path"), "-XX:+UseSerialGC",
        "-Dhazelcast.phone.home.enabled=false"));
    // What the runnable jar's manifest opens for Hazelcast (node/pom.xml), given on the command line instead.
    for (String open : List.of("java.base/java.lang", "java.base/sun.nio.ch", "java.management/sun.management",
        "jdk.management/com.sun.management.internal")) {
      command.add("--add-opens=" + open + "=ALL-UNNAMED");
    }
    command.add("--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED");
    command.add("-Djava.util.logging.config.file=" + LOGGING);
    command.addAll(List.of(Main.class.getName(), "node", "--config", config.toString()));
    return new HostNode(host, config, tokenFile, host.start(command));
  }

  /** A new node process on the same host with the same configuration, as an operator restarts one. */
  HostNode restart() {
    return start(host, config, tokenFile);
  }

  /** Waits for the ready line; returns the start-up time it gives. */
  long awaitReady(Duration timeout) throws InterruptedException {
    Matcher ready = process.awaitLine(READY, timeout);
    readyMillis = Long.parseLong(ready.group(1));
    admin = ready.group(2);
    return readyMillis;
  }

  /** How many lines the node has printed so far, for {@link #awaitLine}. */
  int lineCount() {
    return process.lineCount();
  }

  /** The first line matching {@code pattern} whole printed from line {@code from} on, waiting up to {@code timeout}. */
  Matcher awaitLine(Pattern pattern, int from, Duration timeout) throws InterruptedException {
    return process.awaitLine(pattern, from, timeout);
  }

  TestHost host() {
    return host;
  }

  long readyMillis() {
    return readyMillis;
  }

  Reply get(String path) {
    return calls("GET", path, null, 1).get(0);
  }

  Reply post(String path, JsonObject body) {
    return calls("POST", path, body.encode(), 1).get(0);
  }

  /** {@code count} calls over one connection; {@code $i} in the body is the call's number. */
  List<Reply> calls(String method, String path, String body, int count) {
    List<String> args = new ArrayList<>(List.of(method, path, "--repeat", String.valueOf(count)));
    if (body != null) {
      args.addAll(List.of("--body", body));
    }
    SystemCommand result = adminCall(args);
    if (!result.succeeded()) {
      throw new AssertionError("admin call on " + host.name() + " failed: " + result.describe() + "\nnode output:\n"
          + process.transcript());
    }
    return result.lines().stream().map(HostNode::reply).toList();
  }

  /** Repeats a GET until the dotted {@code field} of its reply is at least {@code least}; the last reply. */
  Reply getUntil(String path, String field, long least, Duration within) {
    return until("GET", path, null, field, least, within);
  }

  /** Repeats a call (body null for none) until the dotted {@code field} of its reply is at least {@code least}. */
  Reply until(String method, String path, String body, String field, long least, Duration within) {
    return until(method, path, body, field + ">=" + least, within);
  }

  /** Repeats a GET until the dotted {@code field} of its reply is at most {@code most}; the last reply. */
  Reply getUntilAtMost(String path, String field, long most, Duration within) {
    return until("GET", path, null, field + "<=" + most, within);
  }

  private Reply until(String method, String path, String body, String condition, Duration within) {
    List<String> args = new ArrayList<>(List.of(method, path, "--until", condition,
        "--within", String.valueOf(within.toSeconds())));
    if (body != null) {
      args.addAll(List.of("--body", body));
    }
    SystemCommand result = adminCall(args);
    List<String> lines = result.lines();
    if (!result.succeeded() || lines.isEmpty()) {
      throw new AssertionError(host.name() + ": " + path + " " + condition + " did not hold within "
          + within.toSeconds() + " s: " + result.describe() + "\nnode output:\n" + process.transcript());
    }
    return reply(lines.get(lines.size() - 1));
  }

  private SystemCommand adminCall(List<String> args) {
    return adminCall(host, true, args);
  }

  /** A GET of this node's admin API made from {@code from}, another host, with the token or without. */
  Reply getFrom(TestHost from, String path, boolean withToken) {
    SystemCommand result = adminCall(from, withToken, List.of("GET", path));
    if (!result.succeeded() || result.lines().isEmpty()) {
      throw new AssertionError("admin call from " + from.name() + " to " + host.name() + " failed: "
          + result.describe());
    }
    return reply(result.lines().get(0));
  }

  private SystemCommand adminCall(TestHost from, boolean withToken, List<String> args) {
    if (admin == null) {
      throw new IllegalStateException("the node on " + host.name() + " is not ready yet");
    }
    List<String> command = new ArrayList<>(List.of("python3", ADMIN_CALL.toString(), admin));
    if (withToken) {
      command.addAll(List.of("--token-file", tokenFile.toString()));
    }
    command.addAll(args);
    return from.run(CALL_TIMEOUT, command);
  }

  /** Where the admin API listens, as its ready line said. */
  String admin() {
    return admin;
  }

  private static Reply reply(String line) {
    JsonObject json = new JsonObject(line);
    Object body = json.getValue("body");
    return new Reply(json.getInteger("status"), json.getDouble("ms"),
        body instanceof JsonObject object ? object : new JsonObject().put("text", String.valueOf(body)));
  }

  /** Everything the node printed, with the times it came, for failure messages. */
  String transcript() {
    return process.transcript();
  }

  /** SIGKILL of the node and its children at once, as when its machine loses power. */
  void kill() {
    process.close();
  }

  /** SIGTERM, as an operator would; killed after the grace. Returns the exit status. */
  int stop(Duration grace) throws InterruptedException {
    return process.stop(grace);
  }

  @Override
  public void close() {
    process.close();
  }
}
