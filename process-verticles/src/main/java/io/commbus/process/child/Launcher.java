package io.commbus.process.child;

import io.vertx.core.Context;
import io.vertx.core.Future;

import java.nio.file.Path;

/** Starts the processes of a pool's children: by spawning each ({@link #SPAWN}), or by forking it from a template. */
public interface Launcher {

  /** Spawns each child from its command, on a worker thread. */
  Launcher SPAWN = (context, spec, socket, token, childId) -> context.owner().executeBlocking(
      () -> SpawnedProcess.spawn(spec, socket, token, childId), false);

  /** Starts one run of child {@code childId}, which is to connect to {@code socket} and present {@code token}. */
  Future<ChildRun> launch(Context context, ChildSpec spec, Path socket, String token, String childId);

  /** Ends what the launcher keeps running between children; completes once it is gone. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
