package io.commbus.adapter.redis;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.Registration;
import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.ConsumerGroupOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Events of the bus's journal out to a Redis stream (docs/adapters.md): a durable consumer group
 * of the bridge's own ({@code redis-out-<stream>}) reads the chosen types in journal order, one
 * at a time, and XADDs each; its checkpoint advances only once Redis answered, so a restart
 * resumes where Redis last confirmed. At least once: an event whose XADD was answered but not
 * checkpointed (a crash between the two) is written again, with the same {@code id} field, for
 * the reader to drop.
 */
public final class RedisStreamOut {

  private final CommBus bus;
  private final RedisAPI redis;
  private final String stream;
  private final Set<String> types;
  private final CheckpointStore checkpoints;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong lastPosition = new AtomicLong();
  private volatile String lastError;
  private Registration group;

  /** {@code types}: the event types to bridge; empty: every type. */
  public RedisStreamOut(CommBus bus, RedisAPI redis, String stream, Set<String> types, CheckpointStore checkpoints) {
    this.bus = bus;
    this.redis = redis;
    this.stream = stream;
    this.types = Set.copyOf(types);
    this.checkpoints = checkpoints;
  }

  /** The consumer group's name, which keys its checkpoint. */
  public String groupName() {
    return "redis-out-" + stream.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /** Starts bridging from the group's checkpoint (the journal's start the first time). */
  public Future<Void> start() {
    ConsumerGroupOptions options = new ConsumerGroupOptions(groupName(), checkpoints).setTypes(types)
        .setMaxInFlight(1);  // one at a time: the stream holds them in journal order
    return bus.<Void>joinGroup(options, this::write).map(registration -> {
      group = registration;
      return null;
    });
  }

  private Future<Void> write(Message event) {
    List<String> args = new ArrayList<>(List.of(stream, "*"));
    args.addAll(StreamEntries.fields(event));
    return redis.xadd(args).<Void>mapEmpty().andThen(ar -> {
      if (ar.succeeded()) {
        written.incrementAndGet();
        lastPosition.set(event.position());
        lastError = null;
      } else {
        lastError = String.valueOf(ar.cause().getMessage());  // the group retries it, with backoff
      }
    });
  }

  /** Stops; the checkpoint stays where Redis last confirmed. */
  public Future<Void> stop() {
    return group == null ? Future.succeededFuture() : group.unregister();
  }

  /** What the bridge has done: entries written, the last position written, the last error. */
  public JsonObject status() {
    return new JsonObject().put("stream", stream).put("direction", "out").put("written", written.get())
        .put("position", lastPosition.get()).put("lastError", lastError);
  }
}
