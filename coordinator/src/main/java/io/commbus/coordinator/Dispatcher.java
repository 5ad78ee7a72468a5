package io.commbus.coordinator;

import io.commbus.bus.CommBus;
import io.commbus.bus.Message;
import io.commbus.bus.MessageHandler;
import io.commbus.bus.Registration;
import io.commbus.bus.error.BusTimeoutException;
import io.commbus.bus.error.CommBusException;
import io.commbus.bus.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Dispatches requests to registered services. In order: the service must exist and be healthy;
 * the request takes one of the service's {@code maxConcurrent} slots or waits for one in a
 * bounded priority queue; it runs on a local handler if this node has one, else through the
 * service's event-bus address on whichever node serves it; each attempt's timeout covers its
 * queueing and its execution; TIMEOUT, OVERLOADED, CHILD_EXITED and NODE_LEFT are retried with
 * exponential backoff and jitter up to {@code maxRetries}, other failures are not.
 */
public final class Dispatcher {

  private static final Set<ErrorCode> RETRYABLE = Set.of(ErrorCode.TIMEOUT, ErrorCode.OVERLOADED,
      ErrorCode.CHILD_EXITED, ErrorCode.NODE_LEFT);

  private final Vertx vertx;
  private final CommBus bus;
  private final ServiceRegistry registry;
  private final DispatcherOptions options;
  private final Map<String, MessageHandler<Message, ?>> localHandlers = new ConcurrentHashMap<>();
  private final Map<String, LoadLimiter> limiters = new ConcurrentHashMap<>();

  public Dispatcher(Vertx vertx, CommBus bus, ServiceRegistry registry, DispatcherOptions options) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.options = options;
  }

  /** The bus type a service's requests travel under on the event bus. */
  public static String serviceType(String serviceName) {
    return "commbus.service." + serviceName;
  }

  /**
   * Serves a service from this node: dispatches on this node call the handler directly, and
   * other nodes reach it through the service's event-bus address.
   */
  public <R> Future<Registration> registerHandler(String serviceName, MessageHandler<Message, R> handler) {
    if (localHandlers.putIfAbsent(serviceName, handler) != null) {
      return Future.failedFuture(new CommBusException(ErrorCode.DUPLICATE_HANDLER,
          "this dispatcher already has a handler for " + serviceName));
    }
    return bus.registerHandler(serviceType(serviceName), handler)
        .onFailure(e -> localHandlers.remove(serviceName, handler));
  }

  /** Dispatches {@code envelope} to the target service; completes with its reply. */
  public Future<Message> dispatch(DispatchTarget target, Message envelope) {
    return attempt(target, envelope, 1);
  }

  private Future<Message> attempt(DispatchTarget target, Message envelope, int attempt) {
    return once(target, envelope).recover(failure -> {
      CommBusException error = CommBusException.wrap(failure, ErrorCode.HANDLER_FAILED);
      if (!RETRYABLE.contains(error.code()) || attempt > target.maxRetries()) {
        return Future.failedFuture(error);
      }
      Promise<Message> retried = Promise.promise();
      vertx.setTimer(backoff(attempt), id -> attempt(target, envelope, attempt + 1).onComplete(retried));
      return retried.future();
    });
  }

  /** Exponential from the base, capped, with jitter so retries from many callers spread out. */
  private long backoff(int attempt) {
    long base = options.getBaseBackoff().toMillis() << Math.min(attempt - 1, 20);
    long capped = Math.min(base, options.getMaxBackoff().toMillis());
    return Math.max(1, (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble())));
  }

  private Future<Message> once(DispatchTarget target, Message envelope) {
    String name = target.serviceName();
    Optional<ServiceDescriptor> service = registry.getService(name);
    if (service.isEmpty()) {
      return Future.failedFuture(new CommBusException(ErrorCode.NO_HANDLER, "no service named " + name));
    }
    if (!service.get().healthy()) {
      return Future.failedFuture(new CommBusException(ErrorCode.UNAVAILABLE, "service " + name + " is unhealthy"));
    }
    LoadLimiter limiter = limiters.computeIfAbsent(name,
        n -> new LoadLimiter(vertx, service.get().maxConcurrent(), options.getQueueCapacity()));
    limiter.maxConcurrent(service.get().maxConcurrent());
    long timeoutMillis = target.timeout().toMillis();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    return limiter.acquire(target.priority(), timeoutMillis, name).compose(admitted -> {
      long remaining = deadline - System.currentTimeMillis();
      Future<Message> running = remaining <= 0
          ? Future.failedFuture(new BusTimeoutException("no time left for " + name + " after queueing"))
          : invoke(name, target.method(), envelope, remaining);
      return running.onComplete(done -> limiter.release());
    });
  }

  private Future<Message> invoke(String name, String method, Message envelope, long remainingMillis) {
    Message request = Message.of(io.commbus.bus.Category.QUERY, serviceType(name),
        envelope.body() == null ? new JsonObject() : envelope.body()).withMetadata("method", method);
    for (Map.Entry<String, String> meta : envelope.metadata().entrySet()) {
      request = request.withMetadata(meta.getKey(), meta.getValue());
    }
    MessageHandler<Message, ?> local = localHandlers.get(name);
    if (local == null) {
      long startedAt = System.currentTimeMillis();
      Message sent = request;
      return bus.query(request, Duration.ofMillis(remainingMillis)).recover(failure -> {
        ServiceAdapter adapter = adapterFor(name, failure);
        long left = remainingMillis - (System.currentTimeMillis() - startedAt);
        if (adapter == null) {
          return Future.failedFuture(failure);
        }
        if (left <= 0) {
          return Future.failedFuture(new BusTimeoutException("no time left for " + name + " before its adapter "
              + adapter.name()));
        }
        return adapter.invoke(registry.getService(name).orElseThrow(), method, sent, Duration.ofMillis(left));
      });
    }
    return withTimeout(callLocal(local, request, name), remainingMillis, name);
  }

  /** The adapter for a service nobody on the bus handles; null when the failure is another or no adapter serves it. */
  private ServiceAdapter adapterFor(String name, Throwable failure) {
    if (!(failure instanceof CommBusException) || ((CommBusException) failure).code() != ErrorCode.NO_HANDLER) {
      return null;
    }
    Optional<ServiceDescriptor> service = registry.getService(name);
    if (service.isEmpty()) {
      return null;
    }
    for (ServiceAdapter adapter : options.getAdapters()) {
      if (adapter.serves(service.get())) {
        return adapter;
      }
    }
    return null;
  }

  private Future<Message> callLocal(MessageHandler<Message, ?> handler, Message request, String name) {
    Future<?> result;
    try {
      result = handler.handle(request);
    } catch (Exception e) {
      result = Future.failedFuture(e);
    }
    return (result == null ? Future.succeededFuture() : result).map(value -> asReply(value, name));
  }

  private static Message asReply(Object value, String name) {
    if (value instanceof Message) {
      return (Message) value;
    }
    Object body = value instanceof JsonObject || value instanceof io.vertx.core.buffer.Buffer ? value
        : value == null ? null : JsonObject.mapFrom(value);
    return Message.of(io.commbus.bus.Category.QUERY, serviceType(name), body);
  }

  private Future<Message> withTimeout(Future<Message> running, long millis, String name) {
    Promise<Message> bounded = Promise.promise();
    long timer = vertx.setTimer(millis, id -> bounded.tryFail(
        new BusTimeoutException(name + " did not answer within " + millis + " ms")));
    running.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }

  /** Requests of a service running now, on this node. */
  public int load(String serviceName) {
    LoadLimiter limiter = limiters.get(serviceName);
    return limiter == null ? 0 : limiter.running();
  }

  /** Requests of a service waiting for a slot, on this node. */
  public int queued(String serviceName) {
    LoadLimiter limiter = limiters.get(serviceName);
    return limiter == null ? 0 : limiter.queued();
  }
}
