package io.commbus.bench;

import io.commbus.process.pipeline.PipelineSpec;
import io.commbus.process.pipeline.Sessions;
import io.vertx.core.Future;

/**
 * Creates of one pipeline's session, one after another: each timed from {@code create} to its
 * future, which completes once every node is ready, then terminated, untimed, before the next.
 * What a caller waits before a new session takes its first frame.
 */
final class SessionCreates {

  private final Sessions sessions;
  private final PipelineSpec spec;
  private final String name;
  // Session ids must be unique while a session runs; a number makes them so for good.
  private int created;

  SessionCreates(Sessions sessions, PipelineSpec spec, String name) {
    this.sessions = sessions;
    this.spec = spec;
    this.name = name;
  }

  /** Completes with the microseconds of each of {@code count} creates, in order. */
  Future<long[]> run(int count) {
    return next(new long[count], 0);
  }

  private Future<long[]> next(long[] micros, int done) {
    if (done == micros.length) {
      return Future.succeededFuture(micros);
    }
    long start = System.nanoTime();
    return sessions.create(name + "-" + ++created, spec)
        .compose(session -> {
          micros[done] = (System.nanoTime() - start) / 1_000;
          return session.terminate();
        })
        .compose(v -> next(micros, done + 1));
  }
}
