package io.commbus.node.config;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.process.client.ClientEndpointOptions;
import io.commbus.process.client.ClientGrant;
import io.commbus.process.wire.Protocol.Permission;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code clients} section: the client endpoint's settings, its tokens (each read from a
 * file only its owner may read: {@code name}, {@code tokenFile}, {@code allow}, {@code serve},
 * {@code groups}),
 * its TCP address ({@code tcp.host}, {@code tcp.port}) and TLS files ({@code tls.certificate},
 * {@code tls.key}, {@code tls.clientCa}). Blocks on the file system.
 */
final class ClientConfig {

  private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

  private ClientConfig() {
  }

  static ClientEndpointOptions read(ConfigSection section, Path runtimeDirectory) {
    ClientEndpointOptions options = new ClientEndpointOptions().setRuntimeDirectory(runtimeDirectory).readFrom(section);
    ConfigSection tcp = section.section("tcp");
    if (tcp.has("host") || tcp.has("port")) {
      String host = tcp.string("host", "127.0.0.1");
      int port = tcp.integer("port", 7070, 0, 65535);
      options.setTcp(host, port);
    }
    tcp.rejectUnknown();
    ConfigSection tls = section.section("tls");
    if (tls.has("certificate") || tls.has("key") || tls.has("clientCa")) {
      Path certificate = tls.path("certificate", null);
      Path key = tls.path("key", null);
      if (certificate == null || key == null) {
        throw new ConfigException(tls.path(), "needs both certificate and key (PEM files)");
      }
      if (!tcp.has("host") && !tcp.has("port")) {
        throw new ConfigException(tls.path(), "is for the TCP listener: set " + section.field("tcp") + ".host and .port");
      }
      options.setTls(new ClientEndpointOptions.TlsFiles(certificate, key, tls.path("clientCa", null)));
    }
    tls.rejectUnknown();
    for (ConfigSection token : section.sections("tokens")) {
      ClientGrant grant = grant(token);
      token.rejectUnknown();
      try {
        options.addGrant(grant);
      } catch (InvalidSettingException e) {
        throw new ConfigException(token.field("name"), e.problem());
      }
    }
    section.rejectUnknown();
    return options;
  }

  private static ClientGrant grant(ConfigSection token) {
    String name = token.string("name", null);
    token.require("name", name, "a name, which logs and /health show instead of the token");
    Path file = token.path("tokenFile", null);
    token.require("tokenFile", file, "the file holding the token (make one with: openssl rand -hex 32 > FILE; "
        + "chmod 600 FILE)");
    ownerOnly(token.field("tokenFile"), file);
    String secret;
    try {
      secret = AdminOptions.readToken("tokenFile", file);
    } catch (InvalidSettingException e) {
      throw new ConfigException(token.field("tokenFile"), e.problem());
    }
    Set<Permission> allowed = EnumSet.noneOf(Permission.class);
    List<String> allow = token.strings("allow");
    if (allow.isEmpty()) {
      throw new ConfigException(token.field("allow"), "must list what the token may do: " + names());
    }
    for (String wire : allow) {
      Permission permission = Permission.fromWireName(wire);
      if (permission == null) {
        throw new ConfigException(token.field("allow"), "\"" + wire + "\" is not one of " + names());
      }
      allowed.add(permission);
    }
    return new ClientGrant(name, secret, allowed, token.strings("serve"), token.strings("groups"));
  }

  /** A token file others can read is a token others hold. */
  private static void ownerOnly(String field, Path file) {
    try {
      if (Files.exists(file) && Files.getPosixFilePermissions(file).stream().anyMatch(SHARED::contains)) {
        throw new ConfigException(field, file + " may be read or written by others than its owner: chmod 600 " + file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException(field, "cannot check who may read " + file + ": " + e.getMessage());
    }
  }

  private static String names() {
    StringBuilder names = new StringBuilder();
    for (Permission permission : Permission.values()) {
      names.append(names.length() == 0 ? "" : ", ").append(permission.wireName());
    }
    return names.toString();
  }
}
