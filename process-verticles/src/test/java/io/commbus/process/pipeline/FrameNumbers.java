package io.commbus.process.pipeline;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** A Java node for the tests: each frame's number (its first four bytes) as JSON; fails at {@code failAt}. */
public final class FrameNumbers implements JavaNode {

  @Override
  public Future<Void> run(NodePorts ports, JsonObject config) {
    Promise<Void> done = Promise.promise();
    int failAt = config.getInteger("failAt", -1);
    ports.input("in").endHandler(v -> done.tryComplete()).exceptionHandler(done::tryFail).handler(item -> {
      int n = ((Buffer) item.data()).getInt(0);
      if (n == failAt) {
        done.tryFail(new IllegalStateException("cannot number frame " + n));
        return;
      }
      ports.output("out").write(ChannelItem.json(n));
    });
    return done.future();
  }
}
