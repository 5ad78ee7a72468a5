package io.commbus.process.client;

import io.commbus.bus.journal.CheckpointStore;
import io.commbus.bus.journal.DispatchLeases;

/**
 * Where the consumer groups clients join keep their checkpoints, and who may dispatch them: the
 * node's own, so a group a client joins is the same group as one its configuration declares.
 *
 * @param checkpoints where each group's checkpoint is kept
 * @param leases      who dispatches a group; null: the bus's default lock
 */
public record GroupStores(CheckpointStore checkpoints, DispatchLeases leases) {
}
