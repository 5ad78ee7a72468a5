package io.commbus.process.child;

import io.commbus.process.wire.Protocol.HandlerKind;
import io.vertx.core.Future;

import java.util.Set;

/**
 * Where a client's {@code serve} calls lead: a type served on the bus by every connection that
 * serves it, each taking up to its concurrency of requests. Children serve their entry
 * function through their pool instead and have none.
 */
public interface Serving {

  /** A connection that takes requests: the node's end of a client's connection. */
  interface Worker {
    /** The connection's name in logs and errors. */
    String name();

    /** Sends a request; the exchange hears the answer, or that it was never delivered. */
    void request(Exchange exchange);

    /** Whether a request sent now could reach the client. */
    boolean isOpen();
  }

  /**
   * Lets {@code worker} serve {@code type}, up to {@code concurrency} requests at a time, with
   * a handler of {@code kind}. The future's value undoes it: the worker takes no further
   * requests of the type. Fails with a bus error (REJECTED, DUPLICATE_HANDLER, ...) when the type cannot be served so.
   */
  Future<Runnable> attach(String type, HandlerKind kind, int concurrency, Worker worker);

  /**
   * Makes {@code worker} a member of consumer group {@code group} for {@code types} (empty:
   * every type), handling up to {@code concurrency} of its events at once; each event is a
   * request whose answer acknowledges it. The future's value leaves the group.
   */
  Future<Runnable> joinGroup(String group, Set<String> types, int concurrency, Worker worker);
}
