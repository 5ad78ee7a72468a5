package io.commbus.process.child;

import io.commbus.bus.Message;
import io.commbus.bus.QueryStream;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.commbus.process.wire.Frame;
import io.commbus.process.wire.FrameTooLarge;
import io.commbus.process.wire.Protocol;
import io.commbus.process.wire.Protocol.FrameKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A bus stream forwarded to the child ({@code callback} and {@code stream} calls) as it grants
 * credit, batched per event-loop turn. The child's credit is counted here as well as turned
 * into bus demand, so a bus stream that delivers a little ahead of demand can never make the
 * parent overrun the child.
 */
final class ForwardedStream implements InboundCall, FrameWriter.Source {

  /** Stands for a null item in the queue, which cannot hold null. */
  private static final Object NULL_ITEM = new Object();

  private final long id;
  private final ChildCalls calls;
  private final FrameWriter writer;
  private final ArrayDeque<Object> ready = new ArrayDeque<>();
  private QueryStream<Message> stream;
  private long credit;
  private boolean ended;
  private CommBusException failure;

  ForwardedStream(long id, ChildCalls calls, FrameWriter writer) {
    this.id = id;
    this.calls = calls;
    this.writer = writer;
  }

  void open(QueryStream<Message> opened, int initialCredit) {
    this.stream = opened;
    this.credit = initialCredit;
    opened.pause();
    opened.handler(item -> {
      ready.add(item.body() == null ? NULL_ITEM : item.body());
      writer.markReady(this);
    });
    opened.endHandler(v -> {
      ended = true;
      writer.markReady(this);
    });
    opened.exceptionHandler(e -> {
      failure = CommBusException.wrap(e, ErrorCode.INTERNAL);
      writer.markReady(this);
    });
    opened.fetch(initialCredit);
  }

  @Override
  public void credit(int n) {
    credit += n;
    if (stream != null) {
      stream.fetch(n);
    }
    if (!ready.isEmpty()) {
      writer.markReady(this);
    }
  }

  @Override
  public void stop() {
    if (stream != null && !ended && failure == null) {
      stream.cancel();
    }
    writer.forget(this);
  }

  /** Writes what is ready and granted: JSON items together, bytes one per frame, then the end or error. */
  @Override
  public void drainInto() {
    if (!calls.isOpen(id, this)) {
      return;
    }
    List<Object> batch = new ArrayList<>();
    try {
      while (credit > 0 && !ready.isEmpty()) {
        Object item = ready.removeFirst();
        credit--;
        if (item instanceof Buffer) {
          writeJsonItems(batch);
          batch.clear();
          writer.encode(Frame.withValue(FrameKind.ITEM, id, item));
        } else {
          batch.add(item == NULL_ITEM ? null : item);
        }
      }
      writeJsonItems(batch);
    } catch (FrameTooLarge e) {
      // An item the child cannot take ends this call alone; the items before it went out.
      ready.clear();
      stop();
      calls.fail(id, this, e);
      return;
    }
    if (!ready.isEmpty()) {
      return; // the rest waits for credit; the end or error goes after it
    }
    if (failure != null) {
      calls.fail(id, this, failure);
    } else if (ended) {
      calls.finished(id, this);
      writer.encode(Frame.of(FrameKind.END, id));
    }
  }

  private void writeJsonItems(List<Object> items) {
    if (items.isEmpty()) {
      return;
    }
    if (items.size() == 1) {
      writer.encode(Frame.withValue(FrameKind.ITEM, id, items.get(0)));
      return;
    }
    JsonObject header = Frame.header(FrameKind.ITEMS, id).put(Protocol.COUNT, items.size())
        .put(Protocol.BODY, Protocol.BODY_JSON);
    try {
      writer.encode(new Frame(FrameKind.ITEMS, header, new JsonArray(new ArrayList<>(items)).toBuffer()));
    } catch (FrameTooLarge together) {
      // Items within the limit one by one may exceed it together: they go one per frame then.
      for (Object item : items) {
        writer.encode(Frame.withValue(FrameKind.ITEM, id, item));
      }
    }
  }
}
