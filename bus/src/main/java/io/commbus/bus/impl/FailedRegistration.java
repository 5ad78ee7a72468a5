package io.commbus.bus.impl;

import io.commbus.bus.JournalFollow;
import io.vertx.core.Future;

/** A registration that could not be made; {@link #ready()} carries the reason. A follow of no journal pauses as nothing. */
final class FailedRegistration implements JournalFollow {

  private final String type;
  private final Kind kind;
  private final Throwable reason;

  FailedRegistration(String type, Kind kind, Throwable reason) {
    this.type = type;
    this.kind = kind;
    this.reason = reason;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String kind() {
    return kind.label();
  }

  @Override
  public Future<Void> ready() {
    return Future.failedFuture(reason);
  }

  @Override
  public JournalFollow pause() {
    return this;
  }

  @Override
  public JournalFollow resume() {
    return this;
  }

  @Override
  public Future<Void> ended() {
    return Future.failedFuture(reason);
  }

  @Override
  public Future<Void> unregister() {
    return Future.succeededFuture();
  }
}
