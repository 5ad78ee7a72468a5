package io.commbus.process.pool;

import io.commbus.process.child.ChildSpec;

import java.time.Duration;

/**
 * A pool's validated settings, taken when it starts.
 *
 * @param name           used in child ids ({@code name#0}) and messages
 * @param type           the bus message type the pool answers
 * @param size           children at start
 * @param child          how each child starts and is spoken to
 * @param maxInFlight    requests one child serves at once
 * @param maxQueued      requests held while every child is at its limit
 * @param requestTimeout deadline of a request that arrives without one
 * @param restarts       when children that ended are started again
 */
public record PoolSpec(String name, String type, int size, ChildSpec child, int maxInFlight, int maxQueued,
                       Duration requestTimeout, RestartPolicy restarts) {
}
