package io.commbus.node.config;

import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.config.InvalidSettingException;
import io.commbus.bus.journal.ConsumerGroupOptions;

import java.util.Objects;

/**
 * A durable consumer group this node is a member of: the group's options (name, types, retries)
 * and who handles its events, a Java class ({@code handler}) or one of the node's pools
 * ({@code pool}). Every node whose configuration names the same group shares its events.
 */
public final class GroupConfig {

  /** What handles the group's events on this node. */
  public enum MemberKind {
    /** A class implementing {@code io.commbus.node.GroupHandler}, made with its no-argument constructor. */
    HANDLER,
    /** One of the node's pools: each event is a request to its least busy child. */
    POOL
  }

  private final ConsumerGroupOptions options;
  private final MemberKind memberKind;
  private final String member;

  public GroupConfig(ConsumerGroupOptions options, MemberKind memberKind, String member) {
    this.options = Objects.requireNonNull(options, "options");
    this.memberKind = Objects.requireNonNull(memberKind, "memberKind");
    this.member = Objects.requireNonNull(member, "member");
  }

  /** The group's options; its checkpoint store is the node's, set when the node joins. */
  public ConsumerGroupOptions getOptions() {
    return options;
  }

  public MemberKind getMemberKind() {
    return memberKind;
  }

  /** The handler's class name, or the pool's name. */
  public String getMember() {
    return member;
  }

  /** One entry of the configuration's {@code groups}: {@code name}, {@code handler} or {@code pool}, and the options. */
  static GroupConfig readFrom(ConfigSection section) {
    String name = section.string("name", null);
    section.require("name", name, "the group's name");
    ConsumerGroupOptions options;
    try {
      options = new ConsumerGroupOptions(name);
    } catch (InvalidSettingException e) {
      throw new ConfigException(section.field("name"), e.problem(), e);
    }
    options.readFrom(section);
    String handler = section.string("handler", null);
    String pool = section.string("pool", null);
    if ((handler == null) == (pool == null)) {
      throw new ConfigException(section.field(handler == null ? "handler" : "pool"), "a group member is either a"
          + " handler class (handler) or one of the node's pools (pool): give exactly one");
    }
    section.rejectUnknown();
    return handler != null ? new GroupConfig(options, MemberKind.HANDLER, handler)
        : new GroupConfig(options, MemberKind.POOL, pool);
  }
}
