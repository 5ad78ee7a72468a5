package io.commbus.bus.impl;

import io.commbus.bus.Membership;
import io.commbus.bus.error.NoHandlerException;
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
 * message type, and each type by the members known to handle it (looked up when the type is
 * first watched, and again at each departure). When a member leaves, only the types it was
 * known to handle are looked at: if, after a short grace for the cluster to republish what
 * survivors hold, no remaining member handles the type, its calls fail with NODE_LEFT. A call
 * that another member may still answer is never failed; it keeps its deadline. Failures are
 * handed to the caller's context, so a reply already queued there wins. A stream, once open,
 * knows its producer's member (the accepting reply names it) and is watched by that member alone.
 *
 * <p>A type left with no handler is remembered as <em>orphaned</em>, with the member that held
 * it. Vert.x may keep routing it to that member: its node selector caches who handles an
 * address and learns of changes only from the cluster's map of registrations, and when the
 * part of that map naming the member was held on the far side of a split, the entries vanish
 * without an update and the cache stays. Messages sent there are lost, and the call would wait
 * its whole deadline. So a call of an orphaned type asks the cluster again before it is sent:
 * with no handler on a remaining member it fails at once with NO_HANDLER, unsent; with one, or
 * with the member back, it is sent and the type is no longer orphaned.
 */
final class Departures {

  /** How long a departure's lookup waits for the cluster to republish what the survivors hold. */
  private static final long GRACE_MILLIS = 1000;

  private final Vertx vertx;
  private final ClusterManager cluster;
  private final Runnable unsubscribe;
  private final Map<String, Set<Watched>> callsByType = new ConcurrentHashMap<>();
  /** The members seen handling each watched type; a member not among them cannot have had its calls. */
  private final Map<String, Set<String>> handlersByType = new ConcurrentHashMap<>();
  private final Map<String, Set<Consumer<NodeLeftException>>> streamsByMember = new ConcurrentHashMap<>();
  /** Types no remaining member handled at the last look, with the member that left holding them. */
  private final Map<String, String> orphaned = new ConcurrentHashMap<>();

  /** A call in flight and the context its caller expects its outcome on. */
  private record Watched(Promise<?> outcome, Context context) {
  }

  private Departures(Vertx vertx, ClusterManager cluster, Membership membership) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.unsubscribe = membership.onMemberLeft(this::left);
  }

  /** The departures of {@code vertx}'s cluster; null when it is not clustered or hears of no members leaving. */
  static Departures of(Vertx vertx, Membership membership) {
    ClusterManager cluster = membership == null ? null : VertxInternals.clusterManager(vertx);
    return cluster == null ? null : new Departures(vertx, cluster, membership);
  }

  /**
   * {@code reply}, failed early with NODE_LEFT when a member leaves and no remaining member
   * handles {@code type}. Its callbacks run on {@code context}, as the reply's would.
   */
  <T> Future<T> watch(String type, Context context, Future<T> reply) {
    Promise<T> outcome = VertxInternals.promiseOn(context);
    Watched watched = new Watched(outcome, context);
    // Added inside compute, so a concurrent forget or sweep cannot drop the set between the two.
    callsByType.compute(type, (t, calls) -> {
      Set<Watched> set = calls != null ? calls : ConcurrentHashMap.newKeySet();
      set.add(watched);
      return set;
    });
    if (!handlersByType.containsKey(type)) {
      learnHandlers(type);
    }
    reply.onComplete(ar -> {
      forget(type, watched);
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
    streamsByMember.compute(member, (m, set) -> {
      Set<Consumer<NodeLeftException>> watchers = set != null ? set : ConcurrentHashMap.newKeySet();
      watchers.add(onLeft);
      return watchers;
    });
    return () -> streamsByMember.computeIfPresent(member, (m, set) -> set.remove(onLeft) && set.isEmpty() ? null : set);
  }

  void close() {
    unsubscribe.run();
  }

  /** Adds the members now holding handlers of {@code type} to those known to handle it. */
  private void learnHandlers(String type) {
    cluster.getRegistrations(Addresses.handler(type), (registrations, failure) -> {
      if (failure == null) {
        Set<String> known = handlersByType.computeIfAbsent(type, t -> ConcurrentHashMap.newKeySet());
        registrations.forEach(registration -> known.add(registration.nodeId()));
      }
    });
  }

  /** Whether no remaining member handled {@code type} at the last look: a call of it should {@link #stillHandled} first. */
  boolean isOrphaned(String type) {
    return orphaned.containsKey(type);
  }

  /**
   * Completes, on {@code context}, when a call of the orphaned {@code type} may be sent: its
   * member is back, or a remaining member handles it. Fails with NO_HANDLER when none does. A
   * failed lookup lets the call go, to meet its deadline as it would have.
   */
  Future<Void> stillHandled(String type, Context context) {
    Promise<Void> handled = VertxInternals.promiseOn(context);
    String gone = orphaned.get(type);
    if (gone == null || cluster.getNodes().contains(gone)) {
      orphaned.remove(type);
      handled.complete();
      return handled.future();
    }
    cluster.getRegistrations(Addresses.handler(type), (registrations, failure) -> {
      if (failure == null && noneRemain(registrations)) {
        handled.tryFail(new NoHandlerException("no member of the cluster handles " + type + ": member " + gone
            + ", which did, left"));
      } else {
        if (failure == null) {
          orphaned.remove(type, gone);
        }
        handled.tryComplete();
      }
    });
    return handled.future();
  }

  private void forget(String type, Watched call) {
    callsByType.computeIfPresent(type, (t, set) -> set.remove(call) && set.isEmpty() ? null : set);
  }

  private void left(String member) {
    Set<Consumer<NodeLeftException>> streams = streamsByMember.remove(member);
    if (streams != null) {
      NodeLeftException error = new NodeLeftException("member " + member + " producing the stream left the cluster");
      streams.forEach(stream -> stream.accept(error));
    }
    // Every type this bus has called, with calls in flight or not: a later call of one left
    // without a handler must not wait its deadline either.
    Set<String> types = new HashSet<>(handlersByType.keySet());
    types.addAll(callsByType.keySet());
    for (String type : types) {
      Set<String> known = handlersByType.get(type);
      if (known != null && !known.contains(member)) {
        continue;   // it never handled this type, so none of these calls went to it
      }
      vertx.setTimer(GRACE_MILLIS, t -> cluster.getRegistrations(Addresses.handler(type), (registrations, failure) -> {
        if (failure == null) {
          registrations.forEach(registration -> handlersByType.computeIfAbsent(type,
              k -> ConcurrentHashMap.newKeySet()).add(registration.nodeId()));
          if (noneRemain(registrations)) {
            orphaned.put(type, member);
            failCalls(type, member);
          } else {
            orphaned.remove(type);
          }
        }
      }));
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
    Set<Watched> calls = callsByType.remove(type);
    if (calls != null) {
      NodeLeftException error = new NodeLeftException("member " + member
          + " left the cluster, and no remaining member handles " + type);
      // On the caller's context: a reply already queued there runs first and wins.
      calls.forEach(call -> call.context().runOnContext(v -> call.outcome().tryFail(error)));
    }
  }
}
