package io.commbus.bus;

/**
 * The message types commbus itself uses, all under one prefix: the service registry's events
 * ({@code commbus.registry.*}), the queries that carry callbacks ({@code commbus.callback.*}),
 * and whatever later parts of the product add. Application types should not start with it: a
 * client token needs the {@code admin} permission for any call that names such a type, since
 * publishing a registry event or serving a callback's type acts on the node itself.
 */
public final class SystemTypes {

  /** The prefix every type of commbus's own starts with. */
  public static final String PREFIX = "commbus.";

  private SystemTypes() {
  }

  /** {@code PREFIX + name}: a type of commbus's own. */
  public static String named(String name) {
    return PREFIX + name;
  }

  /** Whether {@code type} is one of commbus's own (starts with {@link #PREFIX}). */
  public static boolean isSystem(String type) {
    return type.startsWith(PREFIX);
  }
}
