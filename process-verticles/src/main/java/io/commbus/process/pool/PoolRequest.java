package io.commbus.process.pool;

import io.commbus.bus.Message;
import io.commbus.bus.StreamSink;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.child.Exchange;
import io.commbus.process.child.TraceScope;
import io.vertx.core.Promise;

import java.util.function.Consumer;

/**
 * One request on its way to a worker (a child through its pool, or a client serving the type), perhaps after a wait in a queue, and
 * its answer on the way back: one value for a query, a stream for a query stream.
 */
public final class PoolRequest implements Exchange {

  private final Message message;
  private final Promise<Object> reply;
  private final StreamSink<Object> sink;
  private final long deadline;
  private final String traceparent;
  private final Runnable answered;
  private final Consumer<PoolRequest> resend;
  private boolean done;

  /**
   * @param reply    completed with the value, for a query; null for a stream
   * @param sink     fed the items, for a query stream; null for a query
   * @param answered runs once when the request is answered, so a queued one can take its place
   * @param resend   takes the request back when a child hands it back undelivered, to route it again
   */
  public PoolRequest(Message message, Promise<Object> reply, StreamSink<Object> sink, long defaultTimeoutMillis,
              Runnable answered, Consumer<PoolRequest> resend) {
    this.message = message;
    this.reply = reply;
    this.sink = sink;
    this.answered = answered;
    this.resend = resend;
    this.deadline = message.deadline() != null ? message.deadline().toEpochMilli()
        : System.currentTimeMillis() + defaultTimeoutMillis;
    this.traceparent = TraceScope.outgoing(message.traceparent());
  }

  @Override
  public long deadlineMillis() {
    return deadline;
  }

  @Override
  public String type() {
    return message.type();
  }

  @Override
  public Object payload() {
    return message.body();
  }

  @Override
  public String traceparent() {
    return traceparent;
  }

  @Override
  public boolean streamed() {
    return sink != null;
  }

  @Override
  public void onValue(Object value) {
    if (finish()) {
      if (sink != null) {
        sink.write(value);
        sink.end();
      } else {
        reply.tryComplete(value);
      }
    }
  }

  @Override
  public void onItem(Object value, Runnable consumed) {
    if (done) {
      return;
    }
    if (sink == null) {
      onError(streamToQuery());
      return;
    }
    sink.write(value).onComplete(ar -> consumed.run());
  }

  @Override
  public void onEnd() {
    if (finish()) {
      if (sink != null) {
        sink.end();
      } else {
        reply.tryFail(streamToQuery());
      }
    }
  }

  @Override
  public void onError(CommBusException error) {
    if (finish()) {
      if (sink != null) {
        sink.fail(error);
      } else {
        reply.tryFail(error);
      }
    }
  }

  /** The child never got it: it goes through the pool again, to another child or the queue, under its deadline. */
  @Override
  public void onUndelivered(CommBusException why) {
    if (!done) {
      resend.accept(this);
    }
  }

  @Override
  public void onCallerCancel(Runnable cancel) {
    if (sink != null) {
      sink.cancelHandler(v -> {
        if (finish()) {
          cancel.run();
        }
      });
    }
  }

  private CommBusException streamToQuery() {
    return CommBusException.of(ErrorCode.PROTOCOL, "the handler of " + type() + " answered with a stream; use queryStream");
  }

  /** Marks the request answered and lets the next queued one in; false if it already was. */
  private boolean finish() {
    if (done) {
      return false;
    }
    done = true;
    answered.run();
    return true;
  }
}
