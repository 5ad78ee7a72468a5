package io.commbus.bus;

/** Marks a Java type as an event: published to every subscriber. */
public interface Event {
}
