package io.commbus.bus.impl;

import io.commbus.bus.BusStats;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.internal.PayloadMapper;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;

/**
 * What the parts of one bus share: its Vert.x, its options, how it maps bodies and message
 * classes, its tracing, middleware and counters. Parts copy what they use into their own
 * fields, so a message costs no extra hop through this holder.
 */
final class BusCore {

  final Vertx vertx;
  final EventBus eventBus;
  final CommBusOptions options;
  final PayloadMapper payloads = new PayloadMapper();
  final MessageTypes types = new MessageTypes(payloads.mapper().getTypeFactory());
  final Tracing tracing;
  /** Null unless clustered with a membership: then calls to a member that left fail at once. */
  final Departures departures;
  final MiddlewareChain chain = new MiddlewareChain();
  final BusStats stats = new BusStats();

  BusCore(Vertx vertx, CommBusOptions options) {
    this.vertx = vertx;
    this.eventBus = vertx.eventBus();
    this.options = new CommBusOptions(options);
    this.tracing = new Tracing(this.options.getOpenTelemetry());
    this.departures = Departures.of(vertx, this.options.getMembership());
  }
}
