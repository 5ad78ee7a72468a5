package io.commbus.process.client;

import io.commbus.bus.CommBus;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.pool.RuntimeDirectory;
import io.commbus.process.wire.Protocol.FailReason;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The node's client endpoint: programs the node did not start connect here, on a Unix socket
 * (0600, in a 0700 directory) and optionally over TCP with TLS, authenticate with a token and
 * then speak the child protocol, as one more caller, subscriber or handler on the bus
 * (docs/clients.md). Everything runs on this verticle's context.
 */
public final class ClientEndpoint extends VerticleBase {

  private static final System.Logger LOG = System.getLogger(ClientEndpoint.class.getName());
  private static final int GENERATED_TOKEN_BYTES = 32;
  /** How long clients have, once told {@code bye}, to finish what they serve and go. */
  static final Duration STOP_GRACE = Duration.ofSeconds(2);

  private final CommBus bus;
  private final GroupStores groups;
  private final ClientEndpointOptions options;
  private final Set<ClientLink> links = new LinkedHashSet<>();
  private AttachedServices serving;
  private ClientTokens tokens;
  private NetServer unixServer;
  private NetServer tcpServer;
  private Path socketPath;
  private RuntimeDirectory madeDirectory;
  private Path generatedToken;
  private long accepted;
  private long refused;
  private long badTokens;
  /** Completed once the last client has gone, while the endpoint stops. */
  private Promise<Void> allGone;

  /** An endpoint whose clients' calls go to {@code bus}, the node's; its clients may not join consumer groups. */
  public ClientEndpoint(CommBus bus, ClientEndpointOptions options) {
    this(bus, options, null);
  }

  /** An endpoint whose clients may also join consumer groups, kept in {@code groups} (null: they may not). */
  public ClientEndpoint(CommBus bus, ClientEndpointOptions options, GroupStores groups) {
    this.bus = bus;
    this.groups = groups;
    this.options = new ClientEndpointOptions(options);
  }

  @Override
  public Future<?> start() {
    serving = new AttachedServices(CommBus.create(vertx), bus, groups, context, options);
    return vertx.executeBlocking(this::prepareFiles).compose(path -> {
      socketPath = path;
      unixServer = vertx.createNetServer().connectHandler(this::connected);
      return unixServer.listen(SocketAddress.domainSocketAddress(path.toString()));
    }).compose(s -> vertx.executeBlocking(() -> {
      Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
      return null;
    })).compose(v -> listenTcp()).onSuccess(v -> LOG.log(System.Logger.Level.INFO, "clients connect at unix://"
        + socketPath + (tcpServer == null ? "" : " and " + tcpUrl())
        + (generatedToken == null ? "" : " with the token in " + generatedToken)))
        // A start that fails leaves no listener, socket, token or directory behind.
        .recover(e -> closeListeners().transform(v -> Future.failedFuture(e)));
  }

  /** The Unix socket clients connect to; null before start. */
  public Path socketPath() {
    return socketPath;
  }

  /** The TCP port listened on, once started; -1 without TCP. */
  public int tcpPort() {
    return tcpServer == null ? -1 : tcpServer.actualPort();
  }

  /** The file holding the token the endpoint made for itself, when none was configured; null otherwise. */
  public Path generatedTokenFile() {
    return generatedToken;
  }

  /** What {@code /health} shows: where clients connect, connections, refusals, served types. */
  public Future<JsonObject> status() {
    return Future.future(promise -> context.runOnContext(v -> {
      JsonArray connections = new JsonArray();
      for (ClientLink link : links) {
        connections.add(link.describe());
      }
      JsonObject status = new JsonObject().put("socket", String.valueOf(socketPath))
          .put("connections", links.size()).put("accepted", accepted).put("refused", refused)
          .put("badTokens", badTokens).put("clients", connections).put("served", serving.describe());
      if (tcpServer != null) {
        status.put("tcp", tcpUrl());
        if (options.getTls() != null) {
          status.put("tlsEngine", OpenSSLEngineOptions.isAvailable() ? "openssl" : "jdk");
        }
      }
      promise.complete(status);
    }));
  }

  /**
   * Says {@code bye} to every client, which lets the requests it is serving finish and closes;
   * after {@link #STOP_GRACE}, or once every client has gone, the listeners close (and with them
   * what connections are left), the served types are unregistered and the groups left.
   */
  @Override
  public Future<?> stop() {
    Promise<Void> gone = Promise.promise();
    allGone = gone;
    if (links.isEmpty()) {
      gone.complete();
    } else {
      for (ClientLink link : new ArrayList<>(links)) {
        link.bye(STOP_GRACE);
      }
      vertx.setTimer(STOP_GRACE.toMillis() + 100, t -> gone.tryComplete());
    }
    return gone.future().compose(v -> closeListeners());
  }

  private Future<?> closeListeners() {
    List<Future<?>> closing = new ArrayList<>();
    if (unixServer != null) {
      closing.add(unixServer.close());
    }
    if (tcpServer != null) {
      closing.add(tcpServer.close());
    }
    closing.add(serving.closeAll());
    return Future.join(closing).eventually(() -> vertx.executeBlocking(() -> {
      if (madeDirectory != null) {
        madeDirectory.delete();
        return null;
      }
      if (socketPath != null) {
        Files.deleteIfExists(socketPath);
      }
      if (generatedToken != null) {
        Files.deleteIfExists(generatedToken);
      }
      return null;
    }));
  }

  // ---- files and listeners

  /** Makes the socket's directory (0700), removes a stale socket file, writes a generated token. Blocks. */
  private Path prepareFiles() throws IOException {
    Path path = options.getSocket();
    if (path == null) {
      madeDirectory = RuntimeDirectory.create(options.getRuntimeDirectory(), "client endpoint");
      path = madeDirectory.root().resolve(ClientEndpointOptions.DEFAULT_SOCKET_NAME);
    } else {
      path = path.toAbsolutePath();
      Path parent = path.getParent();
      if (!Files.isDirectory(parent)) {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(parent)).endsWith("------")) {
        throw new IllegalStateException(ClientEndpointOptions.SECTION + ".socket: its directory " + parent
            + " may be entered by others than its owner; make it private (chmod 700 " + parent + ")");
      }
      if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        removeStaleSocket(path);
      }
    }
    List<ClientGrant> grants = options.getGrants();
    if (grants.isEmpty()) {
      byte[] random = new byte[GENERATED_TOKEN_BYTES];
      new SecureRandom().nextBytes(random);
      String secret = HexFormat.of().formatHex(random);
      generatedToken = path.resolveSibling(path.getFileName() + ClientEndpointOptions.GENERATED_TOKEN_SUFFIX);
      Files.deleteIfExists(generatedToken);
      Files.createFile(generatedToken, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(generatedToken, secret + "\n", StandardCharsets.US_ASCII);
      grants = List.of(ClientGrant.everything("local", secret));
    }
    tokens = new ClientTokens(grants);
    return path;
  }

  /**
   * Removes the socket a node that died left at {@code path}, so it can be listened on again;
   * refuses anything else there, and a socket that another process still answers on.
   */
  private static void removeStaleSocket(Path path) throws IOException {
    if (!Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
      throw new IllegalStateException(ClientEndpointOptions.SECTION + ".socket: " + path
          + " exists and is not a socket; the endpoint will not replace it");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
      throw new IllegalStateException(ClientEndpointOptions.SECTION + ".socket: another process listens on " + path
          + " (another node?)");
    } catch (IOException refused) {
      Files.delete(path); // nobody answers: stale
    }
  }

  private Future<Void> listenTcp() {
    if (options.getTcpHost() == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> InetAddress.getAllByName(options.getTcpHost())).compose(addresses -> {
      if (options.getTls() == null) {
        for (InetAddress address : addresses) {
          if (!address.isLoopbackAddress()) {
            return Future.failedFuture(new IllegalArgumentException(ClientEndpointOptions.SECTION + ".tcp.host \""
                + options.getTcpHost() + "\" is not a loopback address, and the bus is not offered over plain TCP "
                + "beyond this machine: configure " + ClientEndpointOptions.SECTION + ".tls"));
          }
        }
      }
      NetServerOptions server = new NetServerOptions().setHost(options.getTcpHost()).setPort(options.getTcpPort());
      ClientEndpointOptions.TlsFiles tls = options.getTls();
      if (tls != null) {
        if (OpenSSLEngineOptions.isAvailable()) {
          server.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        server.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certificate().toString())
            .setKeyPath(tls.key().toString()));
        if (tls.clientCa() != null) {
          server.setTrustOptions(new PemTrustOptions().addCertPath(tls.clientCa().toString()))
              .setClientAuth(ClientAuth.REQUIRED);
        }
      }
      tcpServer = vertx.createNetServer(server).connectHandler(this::connected);
      return tcpServer.listen().mapEmpty();
    });
  }

  private String tcpUrl() {
    return (options.getTls() == null ? "tcp://" : "tls://") + options.getTcpHost() + ":" + tcpServer.actualPort();
  }

  // ---- connections

  private void connected(NetSocket socket) {
    if (allGone != null) {
      // A client reconnecting while this endpoint stops would only be cut off again.
      ClientLink.refuseAtOnce(socket, FailReason.STOPPING, "the node is stopping");
      return;
    }
    if (links.size() >= options.getMaxConnections()) {
      refused++;
      ClientLink.refuseAtOnce(socket, FailReason.OVERLOADED, "the node already has " + options.getMaxConnections()
          + " client connections");
      return;
    }
    accepted++;
    ClientLink link = new ClientLink(context, socket, bus, options, tokens, serving, accepted, new ClientLink.Listener() {
      @Override
      public void badToken(ClientLink link) {
        badTokens++;
        LOG.log(System.Logger.Level.WARNING, link.name() + " from " + socket.remoteAddress()
            + " presented a wrong token and was disconnected (" + badTokens + " so far)");
      }

      @Override
      public void closed(ClientLink link) {
        links.remove(link);
        if (links.isEmpty() && allGone != null) {
          allGone.tryComplete();
        }
      }
    });
    links.add(link);
    link.start();
  }
}
