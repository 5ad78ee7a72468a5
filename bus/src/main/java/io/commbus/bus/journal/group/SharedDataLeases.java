package io.commbus.bus.journal.group;

import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.bus.journal.DispatchLease;
import io.commbus.bus.journal.DispatchLeases;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Lock;

/**
 * The default {@link DispatchLeases}: a Vert.x shared-data lock per group, cluster-wide on a
 * clustered Vert.x (Hazelcast's). It does not fence (token 0), and is lost only when released.
 */
final class SharedDataLeases implements DispatchLeases {

  /** How long one attempt to take the lock waits. */
  private static final long LOCK_WAIT_MILLIS = 5_000;

  private final Vertx vertx;

  SharedDataLeases(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<DispatchLease> acquire(String group) {
    return vertx.sharedData().getLockWithTimeout("commbus.group." + group, LOCK_WAIT_MILLIS).<DispatchLease>map(Held::new)
        .recover(e -> Future.failedFuture(new CommBusException(ErrorCode.UNAVAILABLE, "group " + group
            + "'s lock is held by another member")));
  }

  private static final class Held implements DispatchLease {
    private final Lock lock;
    private final Promise<Void> lost = Promise.promise();

    Held(Lock lock) {
      this.lock = lock;
    }

    @Override
    public long token() {
      return 0;
    }

    @Override
    public Future<Void> lost() {
      return lost.future();
    }

    @Override
    public Future<Void> release() {
      if (lost.tryComplete()) {
        lock.release();
      }
      return Future.succeededFuture();
    }
  }
}
