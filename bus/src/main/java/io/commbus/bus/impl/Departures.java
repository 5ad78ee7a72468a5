package io.commbus.bus.impl;

import io.commbus.bus.Membership;
import io.commbus.bus.error.NodeLeftException;
import io.commbus.bus.internal.Addresses;
import io.commbus.bus.internal.VertxInternals;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Fails calls in flight when the member that could answer them leaves the cluster, rather than
 * at their deadline. Exists only on a clustered bus with a {@link Membership}; a local bus has
 * none, so its calls pay nothing.
 *
 * <p>The event bus does not say which member it sent a request to, so a call is watched by its
 * message type: when a member leaves, the types with calls in flight are looked up once, and the
 * calls of a type no remaining member handles fail with NODE_LEFT. A call that another
 * member may still answer is never failed; it keeps its deadline. A stream, once open, knows its
 * producer's member (the accepting reply names it) and is watched by that member alone.
 */
final class Departures {

  private final ClusterManager cluster;
  private final Runnable unsubscribe;
  private final Map<String, Set<Promise<?>>> callsByType = new ConcurrentHashMap<>();
  private final Map<String, Set<Consumer<NodeLeftException>>> streamsByMember = new ConcurrentHashMap<>();

  private Departures(ClusterManager cluster, Membership membership) {
    this.cluster = cluster;
    this.unsubscribe = membership.onMemberLeft(this::left);
  }

  /** The departures of {@code vertx}'s cluster; null when it is not clustered or hears of no members leaving. */
  static Departures of(Vertx vertx, Membership membership) {
    ClusterManager cluster = membership == null ? null : VertxInternals.clusterManager(vertx);
    return cluster == null ? null : new Departures(cluster, membership);
  }

  /**
   * {@code reply}, failed early with NODE_LEFT when a member leaves and no remaining member
   * handles {@code type}. Its callbacks run on {@code context}, as the reply's would.
   */
  <T> Future<T> watch(String type, Context context, Future<T> reply) {
    Promise<T> outcome = VertxInternals.promiseOn(context);
    Set<Promise<?>> calls = callsByType.computeIfAbsent(type, t -> ConcurrentHashMap.newKeySet());
    calls.add(outcome);
    reply.onComplete(ar -> {
      forget(type, outcome);
      if (ar.succeeded()) {
        outcome.tryComplete(ar.result());
      } else {
        outcome.tryFail(ar.cause());
      }
    });
    return outcome.future();
  }

  /** Calls {@code onLeft} if {@code member} leaves, until the returned action is run. */
  Runnable watchMember(String member, Consumer<NodeLeftException> onLeft) {
    streamsByMember.computeIfAbsent(member, m -> ConcurrentHashMap.newKeySet()).add(onLeft);
    return () -> streamsByMember.computeIfPresent(member, (m, set) -> set.remove(onLeft) && set.isEmpty() ? null : set);
  }

  void close() {
    unsubscribe.run();
  }

  private void forget(String type, Promise<?> call) {
    callsByType.computeIfPresent(type, (t, set) -> set.remove(call) && set.isEmpty() ? null : set);
  }

  private void left(String member) {
    Set<Consumer<NodeLeftException>> streams = streamsByMember.remove(member);
    if (streams != null) {
      NodeLeftException error = new NodeLeftException("member " + member + " producing the stream left the cluster");
      streams.forEach(stream -> stream.accept(error));
    }
    for (String type : Set.copyOf(callsByType.keySet())) {
      cluster.getRegistrations(Addresses.handler(type), (registrations, failure) -> {
        if (failure == null && noneRemain(registrations)) {
          failCalls(type, member);
        }
      });
    }
  }

  /**
   * True when no member still in the cluster has a handler for the address. The departed
   * member's registrations may linger until the cluster cleans them up, so they are checked
   * against the members that remain.
   */
  private boolean noneRemain(List<RegistrationInfo> registrations) {
    if (registrations.isEmpty()) {
      return true;
    }
    Set<String> members = new HashSet<>(cluster.getNodes());
    for (RegistrationInfo registration : registrations) {
      if (members.contains(registration.nodeId())) {
        return false;
      }
    }
    return true;
  }

  private void failCalls(String type, String member) {
    Set<Promise<?>> calls = callsByType.remove(type);
    if (calls != null) {
      NodeLeftException error = new NodeLeftException("member " + member
          + " left the cluster, and no remaining member handles " + type);
      calls.forEach(call -> call.tryFail(error));
    }
  }
}
