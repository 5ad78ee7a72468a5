package io.commbus.process.client;

import io.commbus.bus.config.Check;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.process.pool.RuntimeDirectory;
import io.commbus.process.wire.Protocol;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node's client endpoint: where programs the node did not start connect (a Unix socket,
 * and optionally TCP with TLS), the tokens they authenticate with, and the limits that keep one
 * client from holding the node: connections, frame size, calls open per connection, how long a
 * client may leave what the node writes unread. Every setting has a default.
 */
public final class ClientEndpointOptions {

  /** Where these settings sit in a configuration file; errors name their fields under it. */
  public static final String SECTION = "clients";
  /** The socket's file name in the private directory made for it when no socket is configured. */
  public static final String DEFAULT_SOCKET_NAME = "bus.sock";
  /** Added to the socket's file name for the generated token's, beside it, when no token is configured. */
  public static final String GENERATED_TOKEN_SUFFIX = ".token";
  public static final int DEFAULT_MAX_CONNECTIONS = 256;
  public static final int MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
  public static final int DEFAULT_MAX_QUEUED = 1024;
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
  /**
   * A client that leaves the node's writes unread this long, with its socket's write queue
   * full, is disconnected: long enough for a pause in a busy program, short enough that a stuck
   * one does not hold the node's buffers.
   */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
  /** The most stream items one credit from a client counts for: what one grant can make the node write unasked. */
  public static final int MAX_CREDIT = 4096;
  /** Bytes queued for a client's socket beyond which the node counts it as not reading. */
  public static final int DEFAULT_WRITE_QUEUE_BYTES = 4 * 1024 * 1024;
  /**
   * How often the node pings a client; one that has not answered by the next ping is
   * disconnected, so a client whose host vanished is let go within two intervals, not when the
   * kernel gives up on the connection.
   */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(15);
  /** The shortest ping interval taken. */
  public static final Duration MIN_PING_INTERVAL = Duration.ofMillis(100);

  private boolean enabled = true;
  private Path socket;
  private Path runtimeDirectory;
  private String tcpHost;
  private int tcpPort = -1;
  private TlsFiles tls;
  private List<ClientGrant> grants = new ArrayList<>();
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int maxFrameSize = Protocol.DEFAULT_MAX_FRAME_SIZE;
  private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
  private int maxQueued = DEFAULT_MAX_QUEUED;
  private int streamWindow = Protocol.DEFAULT_CREDIT;
  private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
  private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
  private Duration stallTimeout = DEFAULT_STALL_TIMEOUT;
  private int writeQueueBytes = DEFAULT_WRITE_QUEUE_BYTES;
  private Duration pingInterval = DEFAULT_PING_INTERVAL;

  /** PEM files for TLS: the node's certificate chain and key, and optionally the CA that client certificates must chain to. */
  public record TlsFiles(Path certificate, Path key, Path clientCa) {
    public TlsFiles {
      if (certificate == null || key == null) {
        throw new InvalidSettingException("tls", "needs both certificate and key (PEM files)");
      }
    }
  }

  public ClientEndpointOptions() {
  }

  public ClientEndpointOptions(ClientEndpointOptions other) {
    this.enabled = other.enabled;
    this.socket = other.socket;
    this.runtimeDirectory = other.runtimeDirectory;
    this.tcpHost = other.tcpHost;
    this.tcpPort = other.tcpPort;
    this.tls = other.tls;
    this.grants = new ArrayList<>(other.grants);
    this.maxConnections = other.maxConnections;
    this.maxFrameSize = other.maxFrameSize;
    this.maxInFlight = other.maxInFlight;
    this.maxQueued = other.maxQueued;
    this.streamWindow = other.streamWindow;
    this.handshakeTimeout = other.handshakeTimeout;
    this.callTimeout = other.callTimeout;
    this.stallTimeout = other.stallTimeout;
    this.writeQueueBytes = other.writeQueueBytes;
    this.pingInterval = other.pingInterval;
  }

  /** Whether the node listens for clients at all (default true). */
  public boolean isEnabled() {
    return enabled;
  }

  public ClientEndpointOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  /**
   * The Unix socket clients connect to. Null (the default): {@value #DEFAULT_SOCKET_NAME} in a
   * private directory (0700) made under the {@linkplain #setRuntimeDirectory runtime directory}
   * at start. A configured path's directory is made 0700 when missing. The socket is 0600 either way.
   */
  public Path getSocket() {
    return socket;
  }

  public ClientEndpointOptions setSocket(Path socket) {
    if (socket != null) {
      int length = socket.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length;
      if (length > Protocol.MAX_SOCKET_PATH_BYTES) {
        throw new InvalidSettingException("socket", socket + " is " + length + " bytes long, over the "
            + Protocol.MAX_SOCKET_PATH_BYTES + "-byte limit of a Unix socket path");
      }
    }
    this.socket = socket;
    return this;
  }

  /** Where the default socket's private directory is made; null: the system's temporary directory. */
  public Path getRuntimeDirectory() {
    return runtimeDirectory;
  }

  public ClientEndpointOptions setRuntimeDirectory(Path runtimeDirectory) {
    if (runtimeDirectory != null) {
      RuntimeDirectory.unfit(runtimeDirectory).ifPresent(why -> {
        throw new InvalidSettingException("runtimeDirectory", why);
      });
    }
    this.runtimeDirectory = runtimeDirectory;
    return this;
  }

  /** The TCP address, if clients may also connect over TCP; null (default): no TCP listener. */
  public String getTcpHost() {
    return tcpHost;
  }

  /** The TCP port; 0 takes any free port. Meaningful with a {@link #getTcpHost host}. */
  public int getTcpPort() {
    return tcpPort;
  }

  /**
   * Listens on TCP too. Without {@linkplain #setTls TLS} the host must be a loopback address:
   * the bus is not offered in plain text beyond this machine (checked when the endpoint starts).
   */
  public ClientEndpointOptions setTcp(String host, int port) {
    this.tcpHost = Check.notBlank("tcp.host", host);
    this.tcpPort = Check.between("tcp.port", port, 0, 65535);
    return this;
  }

  /** TLS for the TCP listener; null: none. */
  public TlsFiles getTls() {
    return tls;
  }

  public ClientEndpointOptions setTls(TlsFiles tls) {
    this.tls = tls;
    return this;
  }

  /**
   * The tokens clients authenticate with, each with what it may do. None (the default): the
   * endpoint makes one that may do everything and writes it beside the socket, 0600, for the
   * machine's user to read (the socket's name and {@value #GENERATED_TOKEN_SUFFIX}).
   */
  public List<ClientGrant> getGrants() {
    return List.copyOf(grants);
  }

  public ClientEndpointOptions addGrant(ClientGrant grant) {
    for (ClientGrant existing : grants) {
      if (existing.name().equals(grant.name())) {
        throw new InvalidSettingException("tokens", "two tokens are named " + grant.name());
      }
    }
    grants.add(grant);
    return this;
  }

  /** Connections open at once (default 256); one more is refused with {@code fail overloaded}. */
  public int getMaxConnections() {
    return maxConnections;
  }

  public ClientEndpointOptions setMaxConnections(int maxConnections) {
    this.maxConnections = Check.between("maxConnections", maxConnections, 1, MAX_CONNECTIONS);
    return this;
  }

  /** Largest frame either side sends (default 16 MiB). */
  public int getMaxFrameSize() {
    return maxFrameSize;
  }

  public ClientEndpointOptions setMaxFrameSize(int maxFrameSize) {
    this.maxFrameSize = Check.between("maxFrameSize", maxFrameSize, 1024, Integer.MAX_VALUE - 8);
    return this;
  }

  /** Calls one connection may have open at once (default 1024); one more fails with OVERLOADED alone. */
  public int getMaxInFlight() {
    return maxInFlight;
  }

  public ClientEndpointOptions setMaxInFlight(int maxInFlight) {
    this.maxInFlight = Check.between("maxInFlight", maxInFlight, 1, 1_000_000);
    return this;
  }

  /** Requests of a served type that wait for a free client (default 1024); one more fails with OVERLOADED. */
  public int getMaxQueued() {
    return maxQueued;
  }

  public ClientEndpointOptions setMaxQueued(int maxQueued) {
    this.maxQueued = Check.between("maxQueued", maxQueued, 0, 1_000_000);
    return this;
  }

  /** Stream credit in items, both ways (default 256). */
  public int getStreamWindow() {
    return streamWindow;
  }

  public ClientEndpointOptions setStreamWindow(int streamWindow) {
    this.streamWindow = Check.between("streamWindow", streamWindow, 1, 1_000_000);
    return this;
  }

  /** From connect to {@code welcome}: a client that has not said {@code hello} by then is closed (default 10 s). */
  public Duration getHandshakeTimeout() {
    return handshakeTimeout;
  }

  public ClientEndpointOptions setHandshakeTimeout(Duration handshakeTimeout) {
    this.handshakeTimeout = Check.positive("handshakeTimeout", handshakeTimeout);
    return this;
  }

  /** The timeout of a client's call that names none, and of a request to a serving client (default 30 s). */
  public Duration getCallTimeout() {
    return callTimeout;
  }

  public ClientEndpointOptions setCallTimeout(Duration callTimeout) {
    this.callTimeout = Check.positive("callTimeout", callTimeout);
    return this;
  }

  /** How long a client may leave its socket's write queue full before it is disconnected (default 30 s). */
  public Duration getStallTimeout() {
    return stallTimeout;
  }

  public ClientEndpointOptions setStallTimeout(Duration stallTimeout) {
    this.stallTimeout = Check.positive("stallTimeout", stallTimeout);
    return this;
  }

  /** Bytes queued for one client's socket that count as full (default 4 MiB). */
  public int getWriteQueueBytes() {
    return writeQueueBytes;
  }

  public ClientEndpointOptions setWriteQueueBytes(int writeQueueBytes) {
    this.writeQueueBytes = Check.between("writeQueueBytes", writeQueueBytes, 64 * 1024, 1 << 30);
    return this;
  }

  /** How often the node pings each client (default 15 s); one that misses a ping is disconnected at the next. */
  public Duration getPingInterval() {
    return pingInterval;
  }

  public ClientEndpointOptions setPingInterval(Duration pingInterval) {
    Check.positive("pingInterval", pingInterval);
    if (pingInterval.compareTo(MIN_PING_INTERVAL) < 0) {
      throw new InvalidSettingException("pingInterval", "must be at least " + MIN_PING_INTERVAL.toMillis()
          + " ms: shorter, a client's busy loop reads as a dead one");
    }
    this.pingInterval = pingInterval;
    return this;
  }

  /**
   * Takes the plain settings {@code section} holds: {@code enabled}, {@code socket},
   * {@code maxConnections}, {@code maxFrameSize}, {@code maxInFlight}, {@code maxQueued},
   * {@code streamWindow}, {@code handshakeTimeout}, {@code callTimeout}, {@code stallTimeout},
   * {@code writeQueueBytes}, {@code pingInterval}. Tokens and TLS name files, which the node reads.
   */
  public ClientEndpointOptions readFrom(ConfigSection section) {
    section.applyBool("enabled", this::setEnabled);
    section.applyPath("socket", this::setSocket);
    section.applyInt("maxConnections", this::setMaxConnections);
    section.applyInt("maxFrameSize", this::setMaxFrameSize);
    section.applyInt("maxInFlight", this::setMaxInFlight);
    section.applyInt("maxQueued", this::setMaxQueued);
    section.applyInt("streamWindow", this::setStreamWindow);
    section.applyDuration("handshakeTimeout", this::setHandshakeTimeout);
    section.applyDuration("callTimeout", this::setCallTimeout);
    section.applyDuration("stallTimeout", this::setStallTimeout);
    section.applyInt("writeQueueBytes", this::setWriteQueueBytes);
    section.applyDuration("pingInterval", this::setPingInterval);
    return this;
  }
}
