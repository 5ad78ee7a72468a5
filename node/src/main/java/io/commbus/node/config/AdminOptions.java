package io.commbus.node.config;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The admin HTTP API's address, its bearer token, its port and the limits that keep a client from holding it: how long a
 * connection may sit idle between requests, how long a request may take to arrive whole, and
 * how many connections may be open at once. Every setting has a default; the setters state the
 * bounds, in the words a configuration file's errors use.
 */
public final class AdminOptions {

  /** Where these settings sit in a configuration file; errors name their fields under it. */
  public static final String SECTION = "admin";
  /** The admin API's address unless configured: loopback, where it needs no token. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The shortest token taken: 16 characters of a random hex string are 64 bits, the least worth guessing at. */
  public static final int MIN_TOKEN_LENGTH = 16;
  /** The longest token taken, well inside the 8 KiB the server allows for all of a request's headers. */
  public static final int MAX_TOKEN_LENGTH = 1024;
  /** An IPv4 literal, four decimal bytes: read as an address without asking DNS. */
  private static final Pattern IPV4 = Pattern.compile(
      "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  /** A host name: dot-separated labels of letters, digits and inner hyphens. */
  private static final Pattern HOST_NAME = Pattern.compile(
      "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  /** The admin HTTP port unless configured, and the one the CLI's calls go to by default. */
  public static final int DEFAULT_PORT = 8080;
  /**
   * A kept-alive connection with no request for this long is closed. Longer than the usual
   * client pools' own keep-alive (the JDK's HttpClient: 30 s), so the client lets go first and
   * never sends a request on a connection the server is just closing.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** A request whose headers and body have not all arrived this long after it began is cut off. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Connections open at once; more are closed as they arrive. Far above what an operator's tools open. */
  public static final int DEFAULT_MAX_CONNECTIONS = 100;
  /** The longest either timeout may be: beyond it a held connection is as good as held forever. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);
  /** The most connections allowed; each costs a file descriptor. */
  public static final int MAX_CONNECTIONS = 10_000;

  private String host = DEFAULT_HOST;
  /** Never logged nor put in a message: the secret every request must bring once set. */
  private String token;
  private boolean openHealth;
  private int port = DEFAULT_PORT;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;

  /**
   * The address to listen on (default 127.0.0.1): an IPv4 or IPv6 literal ({@code ::1}, no
   * brackets), {@code 0.0.0.0} or {@code ::} for every interface, or a host name, resolved when
   * the server starts. Anything but a loopback address needs a {@linkplain #setToken token}.
   */
  public String getHost() {
    return host;
  }

  public AdminOptions setHost(String host) {
    Check.notBlank("host", host);
    // Digits and dots only are an IPv4 address or nothing: no top-level domain is all digits.
    boolean name = HOST_NAME.matcher(host).matches() && !host.matches("[0-9.]+");
    if (!IPV4.matcher(host).matches() && !name && literal(host).isEmpty()) {
      throw new InvalidSettingException("host", "must be an IP address (127.0.0.1, ::1, 0.0.0.0, ::) or a host name"
          + (host.startsWith("[") ? ", an IPv6 address without brackets" : "") + ", was \"" + host + "\"");
    }
    this.host = host;
    return this;
  }

  /** The host as an address when it is an IP literal, read without asking DNS; empty for a host name. */
  public Optional<InetAddress> literalHost() {
    return literal(host);
  }

  private static Optional<InetAddress> literal(String host) {
    // Only text that is certainly a literal reaches InetAddress, which then parses it and asks no resolver.
    if (!IPV4.matcher(host).matches() && (host.indexOf(':') < 0 || host.startsWith("["))) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * The bearer token every request must bring ({@code Authorization: Bearer TOKEN}), if set.
   * Required to listen beyond loopback; when set, it is asked on loopback too.
   */
  public Optional<String> getToken() {
    return Optional.ofNullable(token);
  }

  /** 16 to 1024 visible ASCII characters, no spaces: what fits a bearer token header as it is. */
  public AdminOptions setToken(String token) {
    this.token = checkToken("token", "the token", token);
    return this;
  }

  /**
   * Reads the token from {@code file}: its whole content, less the whitespace around it (the
   * newline an editor or {@code echo} leaves). Blocks on the file system. Neither this nor a
   * refusal repeats the token.
   */
  public AdminOptions setTokenFile(Path file) {
    this.token = readToken("tokenFile", file);
    return this;
  }

  /** The token {@code file} holds, checked as {@link #setToken} does; refusals name {@code setting}. */
  public static String readToken(String setting, Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidSettingException(setting, "no such file: " + file);
    } catch (IOException | RuntimeException e) {
      // A malformed-input error says nothing of the content; any other names only the file.
      throw new InvalidSettingException(setting, "cannot read " + file + ": " + e.getClass().getSimpleName()
          + (e instanceof IOException && e.getMessage() != null ? " " + e.getMessage() : ""));
    }
    return checkToken(setting, "the token in " + file, text.strip());
  }

  private static String checkToken(String setting, String what, String token) {
    if (token == null || token.isEmpty()) {
      throw new InvalidSettingException(setting, what + " is empty");
    }
    if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
      throw new InvalidSettingException(setting, what + " must be " + MIN_TOKEN_LENGTH + " to " + MAX_TOKEN_LENGTH
          + " characters long, was " + token.length() + " (make one with: openssl rand -hex 32)");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new InvalidSettingException(setting, what + " may only hold visible ASCII characters, no spaces;"
            + " character " + (i + 1) + " is not one");
      }
    }
    return token;
  }

  /**
   * Whether {@code GET /health} answers without the token (default false): for a probe that
   * cannot send a header. Its answer names the pools, the journal and their failures.
   */
  public boolean isOpenHealth() {
    return openHealth;
  }

  public AdminOptions setOpenHealth(boolean openHealth) {
    this.openHealth = openHealth;
    return this;
  }

  /**
   * The one rule of exposure: listening on any of {@code addresses} that is not loopback
   * ({@link InetAddress#isLoopbackAddress}: 127.0.0.0/8 and ::1; 0.0.0.0 and :: are every
   * interface, so not) needs a token. A {@link ConfigException} on {@code admin.host} otherwise.
   */
  public void requireTokenBeyondLoopback(List<InetAddress> addresses) {
    if (token != null) {
      return;
    }
    for (InetAddress address : addresses) {
      if (!address.isLoopbackAddress()) {
        String which = address.isAnyLocalAddress() ? "every interface" : "an address that is not loopback";
        throw new ConfigException(SECTION + ".host", "\"" + host + "\" is " + which + " (" + address.getHostAddress()
            + "), and the admin API can publish and query: set " + SECTION + ".tokenFile to a file holding the bearer"
            + " token every request must then bring, or listen on 127.0.0.1");
      }
    }
  }

  /**
   * The same rule, now, for a host written as an address; a host name waits for its resolution
   * when the server starts. So a configuration that names 0.0.0.0 without a token is refused
   * before anything starts.
   */
  public void checkWrittenHost() {
    literalHost().ifPresent(address -> requireTokenBeyondLoopback(List.of(address)));
  }

  /** The port on {@link #getHost}; 0 takes any free port. Default 8080. */
  public int getPort() {
    return port;
  }

  public AdminOptions setPort(int port) {
    this.port = Check.between("port", port, 0, 65535);
    return this;
  }

  /** How long a connection may wait for its next request before it is closed (default 60 s). */
  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public AdminOptions setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = Check.positive("idleTimeout", idleTimeout, MAX_TIMEOUT);
    return this;
  }

  /**
   * How long a request may take to arrive whole, headers and body (default 10 s): from the
   * connection's opening for its first request, from its headers for a later one. The time the
   * node then takes to answer is not counted; the call's own timeout bounds it.
   */
  public Duration getRequestTimeout() {
    return requestTimeout;
  }

  public AdminOptions setRequestTimeout(Duration requestTimeout) {
    this.requestTimeout = Check.positive("requestTimeout", requestTimeout, MAX_TIMEOUT);
    return this;
  }

  /** Connections open at once (default 100, at most 10000); one more is closed at once. */
  public int getMaxConnections() {
    return maxConnections;
  }

  public AdminOptions setMaxConnections(int maxConnections) {
    this.maxConnections = Check.between("maxConnections", maxConnections, 1, MAX_CONNECTIONS);
    return this;
  }

  /**
   * Takes the settings {@code section} holds ({@code host}, {@code tokenFile}, {@code openHealth},
   * {@code port}, {@code idleTimeout}, {@code requestTimeout}, {@code maxConnections}); the others
   * keep their values. The token is read from its file only: a configuration file is shared,
   * copied and checked in far more than a secret should be. Blocks on the file system.
   */
  public AdminOptions readFrom(ConfigSection section) {
    section.applyString("host", this::setHost);
    section.applyPath("tokenFile", this::setTokenFile);
    section.applyBool("openHealth", this::setOpenHealth);
    section.applyInt("port", this::setPort);
    section.applyDuration("idleTimeout", this::setIdleTimeout);
    section.applyDuration("requestTimeout", this::setRequestTimeout);
    section.applyInt("maxConnections", this::setMaxConnections);
    return this;
  }
}
