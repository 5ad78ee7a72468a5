package io.commbus.process.pipeline;

/** A channel of a pipeline: items from output {@code from} to input {@code to}, at most {@code capacity} in flight. */
public record Channel(Port from, Port to, int capacity) {
}
