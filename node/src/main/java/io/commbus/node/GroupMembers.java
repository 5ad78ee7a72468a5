package io.commbus.node;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Registration;
import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.commbus.bus.journal.DispatchLeases;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.GroupConfig;
import io.commbus.node.config.JournalConfig;
import io.commbus.node.config.NodeConfig;
import io.commbus.process.ProcessVerticle;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The consumer groups a configuration declares, made ready to join: a handler class is made
 * when the configuration is loaded (so a bad one stops the start before anything runs); a pool
 * member is a pool's least busy child, each event a request to it.
 */
final class GroupMembers {

  private final List<GroupConfig> groups;
  /** The handlers made for HANDLER members, by group name. */
  private final Map<String, GroupHandler> handlers;

  private GroupMembers(List<GroupConfig> groups, Map<String, GroupHandler> handlers) {
    this.groups = groups;
    this.handlers = handlers;
  }

  static GroupMembers load(NodeConfig config, UserClasses classes) {
    Map<String, GroupHandler> handlers = new HashMap<>();
    List<GroupConfig> groups = config.getGroups();
    if (!groups.isEmpty() && config.isClustered() && config.getJournal().getKind() == JournalConfig.Kind.FILE) {
      // Each node's file journal holds only its own events, and one dispatcher per group across
      // the cluster would read only its node's: the other nodes' events would wait unseen.
      throw new ConfigException("groups", "consumer groups on a clustered node need the PostgreSQL journal, which"
          + " every node shares; with the file journal each node holds only its own events");
    }
    for (int i = 0; i < groups.size(); i++) {
      GroupConfig group = groups.get(i);
      if (group.getMemberKind() == GroupConfig.MemberKind.HANDLER) {
        handlers.put(group.getOptions().getName(),
            classes.make("groups[" + i + "].handler", group.getMember(), GroupHandler.class));
      }
    }
    return new GroupMembers(List.copyOf(groups), handlers);
  }

  /**
   * Joins every group, keeping its checkpoint in {@code checkpoints} and deciding its dispatcher
   * by {@code leases} (null: the bus's default lock); completes with the memberships.
   */
  Future<List<Registration>> join(CommBus bus, CheckpointStore checkpoints, DispatchLeases leases,
      List<ProcessVerticle> pools) {
    Map<String, ProcessVerticle> poolsByName = new HashMap<>();
    pools.forEach(pool -> poolsByName.put(pool.name(), pool));
    List<Future<Registration>> joins = new ArrayList<>();
    for (GroupConfig group : groups) {
      ConsumerGroupOptions options = group.getOptions().setCheckpoints(checkpoints).setLeases(leases);
      joins.add(bus.joinGroup(options, member(group, bus, poolsByName))
          .recover(e -> Future.failedFuture(new IllegalStateException("cannot join the consumer group "
              + options.getName() + ": " + e.getMessage(), e))));
    }
    return Future.join(joins).transform(ar -> {
      List<Registration> joined = new ArrayList<>();
      Throwable failure = null;
      for (Future<Registration> join : joins) {
        if (join.succeeded()) {
          joined.add(join.result());
        } else if (failure == null) {
          failure = join.cause();
        }
      }
      if (failure == null) {
        return Future.succeededFuture(joined);
      }
      // Leave what was joined, and only then fail: a failed start holds no membership or lease.
      Throwable cause = failure;
      return Future.join(joined.stream().map(Registration::unregister).toList())
          .transform(left -> Future.failedFuture(cause));
    });
  }

  private MessageHandler<Message, Object> member(GroupConfig group, CommBus bus, Map<String, ProcessVerticle> pools) {
    if (group.getMemberKind() == GroupConfig.MemberKind.POOL) {
      ProcessVerticle pool = pools.get(group.getMember());
      return event -> pool.request(event);
    }
    GroupHandler handler = handlers.get(group.getOptions().getName());
    return event -> handler.handle(event, bus).map(done -> null);
  }
}
