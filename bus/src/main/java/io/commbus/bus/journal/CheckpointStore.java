package io.commbus.bus.journal;

import io.vertx.core.Future;

/** Where consumer groups keep the position up to which they have processed every event. */
public interface CheckpointStore {

  /** The group's checkpoint; 0 when it has none yet (it starts from the beginning). */
  Future<Long> load(String group);

  /** Records that every event up to and including {@code position} was processed. */
  Future<Void> save(String group, long position);

  /**
   * {@link #save(String, long)} by the holder of {@code lease}: a store that can fences the
   * write, refusing it (and failing) once a later holder has the group. By default, unfenced.
   */
  default Future<Void> save(String group, long position, DispatchLease lease) {
    return save(group, position);
  }
}
