package io.commbus.process.client;

import io.commbus.bus.SystemTypes;
import io.commbus.bus.config.Check;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.CallGate;
import io.commbus.process.wire.Protocol.CallOp;
import io.commbus.process.wire.Protocol.Permission;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One token of the client endpoint and what a connection that presents it may do: the verbs
 * ({@link Permission}s), and for {@code serve} the type prefixes it may serve. The secret is
 * never logged nor put in a message; the name stands for it.
 */
public final class ClientGrant implements CallGate {

  /** The shortest secret taken: 16 characters of random hex are 64 bits, the least worth guessing at. */
  public static final int MIN_SECRET_LENGTH = 16;
  /** The longest secret taken. */
  public static final int MAX_SECRET_LENGTH = 1024;

  private final String name;
  private final byte[] secret;
  private final Set<Permission> permissions;
  private final List<String> servePrefixes;
  private final List<String> groupPrefixes;

  /** A token whose serve calls may name any type and whose group calls any group. */
  public ClientGrant(String name, String secret, Set<Permission> permissions, List<String> servePrefixes) {
    this(name, secret, permissions, servePrefixes, List.of());
  }

  /**
   * @param name          how logs and {@code /health} name connections with this token
   * @param secret        16 to 1024 visible ASCII characters
   * @param permissions   what the token may do
   * @param servePrefixes the types a {@code serve} call may name start with one of these; empty: any type
   * @param groupPrefixes the groups a {@code group} call may name start with one of these; empty: any group
   */
  public ClientGrant(String name, String secret, Set<Permission> permissions, List<String> servePrefixes,
                     List<String> groupPrefixes) {
    Check.notBlank("name", name);
    if (secret == null || secret.length() < MIN_SECRET_LENGTH || secret.length() > MAX_SECRET_LENGTH
        || !secret.chars().allMatch(c -> c > ' ' && c < 127)) {
      throw new InvalidSettingException("token", "must be " + MIN_SECRET_LENGTH + " to " + MAX_SECRET_LENGTH
          + " visible ASCII characters without spaces (openssl rand -hex 32 makes one)");
    }
    this.name = name;
    this.secret = secret.getBytes(StandardCharsets.US_ASCII);
    this.permissions = permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : EnumSet.copyOf(permissions);
    this.servePrefixes = List.copyOf(servePrefixes);
    this.groupPrefixes = List.copyOf(groupPrefixes);
  }

  /** A token that may do everything: the endpoint's own when none is configured. */
  public static ClientGrant everything(String name, String secret) {
    return new ClientGrant(name, secret, EnumSet.allOf(Permission.class), List.of());
  }

  public String name() {
    return name;
  }

  byte[] secret() {
    return secret;
  }

  public Set<Permission> permissions() {
    return EnumSet.copyOf(permissions.isEmpty() ? EnumSet.noneOf(Permission.class) : permissions);
  }

  public List<String> servePrefixes() {
    return servePrefixes;
  }

  public List<String> groupPrefixes() {
    return groupPrefixes;
  }

  /** A group's events are its types' events: commbus's own among them need {@code admin}, as a subscription to them does. */
  @Override
  public void checkGroupTypes(String group, Set<String> types) {
    if (permissions.contains(Permission.ADMIN)) {
      return;
    }
    if (types.isEmpty()) {
      throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may not join group " + group
          + " for every type: every type includes commbus's own (" + SystemTypes.PREFIX + "...), which need the "
          + Permission.ADMIN.wireName() + " permission; name the group's types");
    }
    for (String type : types) {
      if (SystemTypes.isSystem(type)) {
        throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may not join group " + group + " for "
            + type + ": types under " + SystemTypes.PREFIX + " are commbus's own and need the "
            + Permission.ADMIN.wireName() + " permission");
      }
    }
  }

  @Override
  public void check(CallOp op, String type) {
    Permission needed = Permission.of(op);
    if (!permissions.contains(needed)) {
      throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may not " + op.wireName() + " (it lacks the "
          + needed.wireName() + " permission)");
    }
    // A callback's "type" is its path (market.MarketData), which the node maps into the system
    // types itself; every other op names the type it acts on.
    if (op != CallOp.CALLBACK && SystemTypes.isSystem(type) && !permissions.contains(Permission.ADMIN)) {
      throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may not " + op.wireName() + " " + type
          + ": types under " + SystemTypes.PREFIX + " are commbus's own and need the " + Permission.ADMIN.wireName()
          + " permission");
    }
    if (op == CallOp.SERVE && !servePrefixes.isEmpty() && servePrefixes.stream().noneMatch(type::startsWith)) {
      throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may serve types under " + servePrefixes
          + " only, not " + type);
    }
    if (op == CallOp.GROUP && !groupPrefixes.isEmpty() && groupPrefixes.stream().noneMatch(type::startsWith)) {
      throw CommBusException.of(ErrorCode.FORBIDDEN, "token " + name + " may join groups under " + groupPrefixes
          + " only, not " + type);
    }
  }
}
