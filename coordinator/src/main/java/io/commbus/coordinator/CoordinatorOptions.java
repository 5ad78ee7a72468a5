package io.commbus.coordinator;

import java.util.Objects;

/** Settings of the coordinator: its registry's health rules and its dispatcher's limits. */
public final class CoordinatorOptions {

  private RegistryOptions registry = new RegistryOptions();
  private DispatcherOptions dispatcher = new DispatcherOptions();

  public RegistryOptions getRegistry() {
    return registry;
  }

  public CoordinatorOptions setRegistry(RegistryOptions registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  public DispatcherOptions getDispatcher() {
    return dispatcher;
  }

  public CoordinatorOptions setDispatcher(DispatcherOptions dispatcher) {
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    return this;
  }
}
