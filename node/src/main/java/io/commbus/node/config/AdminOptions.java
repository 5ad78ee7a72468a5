package io.commbus.node.config;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;

import java.time.Duration;

/**
 * The admin HTTP API's port and the limits that keep a client from holding it: how long a
 * connection may sit idle between requests, how long a request may take to arrive whole, and
 * how many connections may be open at once. Every setting has a default; the setters state the
 * bounds, in the words a configuration file's errors use.
 */
public final class AdminOptions {

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

  private int port = DEFAULT_PORT;
  private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;

  /** The port on 127.0.0.1; 0 takes any free port. Default 8080. */
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
   * Takes the settings {@code section} holds ({@code port}, {@code idleTimeout},
   * {@code requestTimeout}, {@code maxConnections}); the others keep their values.
   */
  public AdminOptions readFrom(ConfigSection section) {
    section.applyInt("port", this::setPort);
    section.applyDuration("idleTimeout", this::setIdleTimeout);
    section.applyDuration("requestTimeout", this::setRequestTimeout);
    section.applyInt("maxConnections", this::setMaxConnections);
    return this;
  }
}
