package io.commbus.adapter.redis;

import io.commbus.bus.Category;
import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entries of a Redis stream in to the bus (docs/adapters.md): read through a Redis consumer
 * group, each published as a journaled event whose id is the entry's identity
 * ({@code redis:<stream>:<entry id>}), and XACKed only once the journal has it. A crash at any
 * point gives neither loss nor a duplicate: an entry not acknowledged is read again (the
 * group's pending entries first, after a restart) and its second publish is dropped by the
 * journal, which keeps the first of an id. The event's type is the entry's {@code type} field,
 * else the bridge's; its body the {@code body} field as JSON, else the entry's fields.
 */
public final class RedisStreamIn {

  private static final int BATCH = 100;
  private static final long BLOCK_MILLIS = 1000;
  private static final long INITIAL_BACKOFF_MILLIS = 100;
  private static final long MAX_BACKOFF_MILLIS = 5000;

  private final Vertx vertx;
  private final CommBus bus;
  private final RedisAPI redis;
  private final String stream;
  private final String group;
  private final String consumer;
  private final String eventType;
  private final AtomicLong published = new AtomicLong();
  private volatile boolean running;
  private volatile boolean connected;
  private volatile String lastError;
  private long backoff = INITIAL_BACKOFF_MILLIS;

  public RedisStreamIn(Vertx vertx, CommBus bus, RedisAPI redis, String stream, String group, String consumer,
                       String eventType) {
    this.vertx = vertx;
    this.bus = bus;
    this.redis = redis;
    this.stream = stream;
    this.group = group;
    this.consumer = consumer;
    this.eventType = eventType;
  }

  /** Makes the Redis group (from the stream's start, if it is new) and starts reading: its pending entries first. */
  public Future<Void> start() {
    running = true;
    return redis.xgroup(List.of("CREATE", stream, group, "0", "MKSTREAM"))
        .recover(e -> String.valueOf(e.getMessage()).contains("BUSYGROUP") ? Future.succeededFuture()
            : Future.failedFuture(e))
        .onSuccess(v -> read("0"))
        .mapEmpty();
  }

  /** Reads from {@code from}: "0" for the entries delivered before and not acknowledged, ">" for new ones. */
  private void read(String from) {
    if (!running) {
      return;
    }
    redis.xreadgroup(List.of("GROUP", group, consumer, "COUNT", Integer.toString(BATCH), "BLOCK",
        Long.toString(BLOCK_MILLIS), "STREAMS", stream, from)).onComplete(ar -> {
          if (ar.failed()) {
            retry(from, ar.cause());
            return;
          }
          connected = true;
          backoff = INITIAL_BACKOFF_MILLIS;
          List<Response> entries = entries(ar.result());
          if (entries.isEmpty()) {
            read(">");  // no pending left (or nothing new within the block): go on with new entries
            return;
          }
          publishInOrder(entries, 0).onComplete(done -> {
            if (done.failed()) {
              retry(from, done.cause());
            } else {
              read(from);
            }
          });
        });
  }

  private void retry(String from, Throwable cause) {
    connected = false;
    lastError = String.valueOf(cause.getMessage());
    long delay = backoff;
    backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
    // Pending entries first again: what was read and not acknowledged comes back from there.
    vertx.setTimer(delay, t -> read("0"));
  }

  private static List<Response> entries(Response reply) {
    List<Response> entries = new ArrayList<>();
    if (reply == null) {
      return entries;
    }
    for (Response streamReply : reply) {
      // RESP2: [stream, [[id, [field, value, ...]], ...]]; RESP3 maps the stream to the same list.
      Response list = streamReply.isArray() && streamReply.size() == 2 && streamReply.get(1).isArray()
          ? streamReply.get(1) : streamReply;
      for (Response entry : list) {
        entries.add(entry);
      }
    }
    return entries;
  }

  private Future<Void> publishInOrder(List<Response> entries, int index) {
    if (index == entries.size()) {
      return Future.succeededFuture();
    }
    Response entry = entries.get(index);
    String entryId = entry.get(0).toString();
    Response fields = entry.get(1);
    if (fields == null) {
      // Deleted from the stream while pending: nothing to publish, only to acknowledge.
      return redis.xack(List.of(stream, group, entryId)).compose(v -> publishInOrder(entries, index + 1));
    }
    JsonObject values = new JsonObject();
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      values.put(fields.get(i).toString(), fields.get(i + 1).toString());
    }
    String type = values.getString(StreamEntries.TYPE, eventType);
    Object body = values.containsKey(StreamEntries.BODY) ? Json.decodeValue(
        values.getString(StreamEntries.BODY)) : values;
    Message event = Message.of(Category.EVENT, type, body).withId("redis:" + stream + ":" + entryId);
    // Acknowledged once the journal has it, never before: a crash in between reads it again, and
    // the journal drops the second publish of the same id.
    return bus.publish(event)
        .compose(position -> redis.xack(List.of(stream, group, entryId)))
        .compose(v -> {
          published.incrementAndGet();
          return publishInOrder(entries, index + 1);
        });
  }

  public Future<Void> stop() {
    running = false;
    return Future.succeededFuture();
  }

  public JsonObject status() {
    return new JsonObject().put("stream", stream).put("direction", "in").put("group", group)
        .put("connected", connected).put("published", published.get()).put("lastError", lastError);
  }
}
