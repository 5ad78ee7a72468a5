package io.commbus.bench;

import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Deploys a verticle onto the event loop the caller runs on.
 *
 * <p>Vert.x gives each deployment the next event loop in turn and offers no way to choose
 * one. The process suite needs both sides of a comparison on the same loop: a pool that
 * happened to share the driver's thread would save the two thread hand-offs of every request
 * (tens of microseconds, as much as a Python round trip), and whichever side drew that loop
 * would win. So empty probe verticles are deployed until the turn comes round to the
 * caller's loop, and the placement is checked afterwards. An event loop is one thread for its
 * whole life, so the thread a verticle starts on names its loop.
 *
 * <p>Call it on the target loop and nowhere else: from other threads Vert.x creates contexts
 * of its own, which take turns too.
 */
final class LoopPlacement {

  private static final int MAX_PROBES = 64;

  private final Vertx vertx;
  // Event loops in the rotation, counted at the first placement.
  private int loops;

  LoopPlacement(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Deploys {@code verticle} so it runs on the calling event loop; completes with its deployment id. */
  Future<String> deployHere(Deployable verticle) {
    Context here = Vertx.currentContext();
    if (here == null || !here.isEventLoopContext()) {
      return Future.failedFuture(new IllegalStateException("place deployments from an event loop, not from "
          + Thread.currentThread()));
    }
    Thread target = Thread.currentThread();
    AtomicReference<Thread> startedOn = new AtomicReference<>();
    // Both methods forwarded: Deployable's undeploy has a default that does nothing, so a lambda
    // here would undeploy without ever stopping the verticle (a pool's children and directory).
    Deployable recorded = new Deployable() {
      @Override
      public Future<?> deploy(Context context) throws Exception {
        startedOn.set(Thread.currentThread());
        return verticle.deploy(context);
      }

      @Override
      public Future<?> undeploy(Context context) throws Exception {
        return verticle.undeploy(context);
      }
    };
    return alignTo(target).compose(v -> vertx.deployVerticle(recorded))
        .compose(id -> verify(id, startedOn.get(), target));
  }

  // After a probe lands on the target the rotation points just past it; a full turn less one brings it back.
  private Future<Void> alignTo(Thread target) {
    Future<Integer> reached = probeUntil(target, 0);
    if (loops == 0) {
      reached = reached.compose(first -> probeUntil(target, 0)).andThen(turn -> loops = turn.result());
    }
    return reached.compose(v -> skip(loops - 1));
  }

  /** Deploys probes until one lands on {@code target}; completes with how many that took. */
  private Future<Integer> probeUntil(Thread target, int deployed) {
    if (deployed == MAX_PROBES) {
      return Future.failedFuture(new BenchFailure(MAX_PROBES + " deployments in a row missed the target event loop"));
    }
    return probe().compose(loop -> loop == target ? Future.succeededFuture(deployed + 1)
        : probeUntil(target, deployed + 1));
  }

  private Future<Void> skip(int count) {
    return count <= 0 ? Future.succeededFuture() : probe().compose(loop -> skip(count - 1));
  }

  /** Deploys and undeploys an empty verticle; completes with the event-loop thread it was given. */
  private Future<Thread> probe() {
    Promise<Thread> landed = Promise.promise();
    return vertx.deployVerticle((Deployable) context -> {
      landed.complete(Thread.currentThread());
      return Future.succeededFuture();
    }).compose(vertx::undeploy).compose(v -> landed.future());
  }

  private Future<String> verify(String id, Thread startedOn, Thread target) {
    if (startedOn == target) {
      return Future.succeededFuture(id);
    }
    return vertx.undeploy(id).transform(ar -> Future.failedFuture(new BenchFailure("deployment " + id
        + " did not land on the event loop it was placed for; the placement assumption broke")));
  }
}
