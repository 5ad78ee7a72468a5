package io.commbus.bus.internal;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

/**
 * Context confinement for state that lives on one Vert.x context (streams, journal consumers,
 * consumer groups). Vert.x delivers each event-bus message on a duplicate of the consumer's
 * context, so "am I on this context?" must compare the underlying contexts, not the
 * duplicates; otherwise work that could run inline hops and arrives late. The bus's one use of
 * {@code io.vertx.core.internal}. Internal, not API: public only so that the bus's own
 * packages share it.
 */
public final class Contexts {

  private Contexts() {
  }

  /** The context {@code action} confinement is checked against: the root of {@code context}. */
  public static Context root(Context context) {
    return ((ContextInternal) context).unwrap();
  }

  /** Runs {@code action} now if the caller is on {@code root}, else queues it there. */
  public static void run(Context root, Runnable action) {
    ContextInternal current = ContextInternal.current();
    if (current != null && current.unwrap() == root) {
      action.run();
    } else {
      root.runOnContext(v -> action.run());
    }
  }
}
