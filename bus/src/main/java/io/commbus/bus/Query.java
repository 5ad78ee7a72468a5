package io.commbus.bus;

/**
 * Marks a Java type as a query whose handler replies with an {@code R} (or a stream of them).
 *
 * @param <R> the reply type, used to decode the reply
 */
public interface Query<R> {
}
