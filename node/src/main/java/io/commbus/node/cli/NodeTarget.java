package io.commbus.node.cli;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.node.config.AdminOptions;
import io.commbus.node.config.ConfigReader;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which running node a command calls, and with which admin token: {@code --node URL} or the
 * admin address of {@code --config FILE} (default {@link #DEFAULT_NODE}), the token of
 * {@code --token-file}, else {@code COMMBUS_ADMIN_TOKEN}, else the {@code admin.tokenFile} of
 * {@code --config}. Also how a command words the failures every call can meet.
 */
record NodeTarget(URI base, Optional<String> token) {

  /** Where a node listens unless told otherwise: the default admin port on loopback. */
  static final String DEFAULT_NODE = "http://127.0.0.1:" + AdminOptions.DEFAULT_PORT;
  /**
   * The environment variable that holds the admin token. No {@code --token TOKEN}: a command
   * line is readable by every user of the machine ({@code ps}, /proc), an environment only by its owner.
   */
  static final String TOKEN_VARIABLE = "COMMBUS_ADMIN_TOKEN";
  /** The options every command that calls a node takes, each with a value. */
  static final Set<String> OPTIONS = Set.of("--node", "--config", "--token-file");

  /** The lines of help for {@link #OPTIONS}. */
  static final String HELP = "  --node URL       the node's admin URL (default " + DEFAULT_NODE + ")\n"
      + "  --config FILE    take the admin address, port and token file from this node configuration\n"
      + "  --token-file FILE  the admin token, for a node with admin.tokenFile (default: $" + TOKEN_VARIABLE + ",\n"
      + "                   else the token file of --config)\n";

  /** The node and token {@code parsed} names. */
  static NodeTarget of(CommandArgs parsed, Map<String, String> environment) throws CommandArgs.UsageError {
    String node = parsed.option("--node");
    String config = parsed.option("--config");
    if (node != null && config != null) {
      throw new CommandArgs.UsageError("give --node or --config, not both");
    }
    Optional<String> configured = Optional.empty();
    if (config != null) {
      try {
        AdminOptions admin = ConfigReader.read(Path.of(config)).getAdmin();
        node = "http://" + reachable(admin) + ":" + admin.getPort();
        configured = admin.getToken();
      } catch (ConfigException e) {
        throw new CommandArgs.UsageError(config + ": " + e.getMessage());
      }
    }
    if (node == null) {
      node = DEFAULT_NODE;
    }
    URI base;
    try {
      base = URI.create(node.endsWith("/") ? node : node + "/");
      if (!"http".equals(base.getScheme()) || base.getHost() == null) {
        throw new IllegalArgumentException("not an http URL");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandArgs.UsageError("--node wants the node's admin URL, like " + DEFAULT_NODE + ", not '" + node + "'");
    }
    Optional<String> given = token(parsed, environment);
    return new NodeTarget(base, given.isPresent() ? given : configured);
  }

  /** {@code GET} of the admin API's {@code endpoint}, with the token when there is one; the body as text. */
  HttpResponse<String> get(String endpoint, Duration timeout) throws IOException, InterruptedException {
    return send("GET", endpoint, null, timeout);
  }

  /** {@code method} of the admin API's {@code endpoint}, with a JSON {@code body} or none; the answer's body as text. */
  HttpResponse<String> send(String method, String endpoint, JsonObject body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(endpoint(endpoint)).timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("content-type", "application/json");
    }
    token().ifPresent(token -> request.header("authorization", "Bearer " + token));
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
        .send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The URL of the admin API's {@code endpoint} ({@code query}, {@code subscribe?type=...}). */
  URI endpoint(String endpoint) {
    return base.resolve(endpoint);
  }

  /** The token of {@code --token-file}, else of the environment; read by the node's own rules. */
  private static Optional<String> token(CommandArgs parsed, Map<String, String> environment)
      throws CommandArgs.UsageError {
    String file = parsed.option("--token-file");
    if (file != null) {
      try {
        return Optional.of(AdminOptions.readToken("--token-file", Path.of(file)));
      } catch (InvalidSettingException e) {
        throw new CommandArgs.UsageError(e.setting() + ": " + e.problem());
      }
    }
    String variable = environment.get(TOKEN_VARIABLE);
    return variable == null || variable.isBlank() ? Optional.empty() : Optional.of(variable.strip());
  }

  /** The configured host as this machine reaches it: every interface includes loopback. */
  private static String reachable(AdminOptions admin) {
    Optional<InetAddress> literal = admin.literalHost();
    if (literal.isEmpty()) {
      return admin.getHost();
    }
    InetAddress address = literal.get();
    if (address.isAnyLocalAddress()) {
      return address instanceof Inet6Address ? "[::1]" : "127.0.0.1";
    }
    return address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
  }

  /** Says on {@code err} why the node could not be reached, for command {@code name}. */
  void unreachable(String name, IOException e, PrintStream err) {
    if (e instanceof ConnectException) {
      err.println("commbus " + name + ": cannot reach a node at " + base + " (connection refused);"
          + " start one with: commbus node --config FILE, or point --node at it");
    } else if (e instanceof HttpTimeoutException) {
      err.println("commbus " + name + ": the node at " + base + " did not answer in time");
    } else {
      err.println("commbus " + name + ": cannot reach a node at " + base + ": " + e);
    }
  }

  /** Says on {@code err} what the node's error answer {@code answer} (status {@code status}) means. */
  void refused(String name, int status, JsonObject answer, String raw, PrintStream err) {
    JsonObject error = answer.getJsonObject("error", new JsonObject());
    String remoteType = error.getString("remoteType");
    err.println("commbus " + name + ": " + error.getString("code", "HTTP_" + status) + ": "
        + error.getString("message", raw) + (remoteType == null ? "" : " [" + remoteType + "]"));
    String trace = error.getString("remoteTrace");
    if (trace != null) {
      err.println(trace.stripTrailing());
    }
    if (status == 401) {
      err.println(token.isEmpty()
          ? "the node asks for its admin token: give --token-file FILE, or set " + TOKEN_VARIABLE
          : "the token given (--token-file, " + TOKEN_VARIABLE + " or the token file of --config) is not the node's");
    }
  }
}
