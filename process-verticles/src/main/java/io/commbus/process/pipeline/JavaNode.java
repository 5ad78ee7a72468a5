package io.commbus.process.pipeline;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A pipeline node written in Java ({@code java: com.example.Mixer} in a spec): it runs in the
 * JVM of the host its placement names, on that host's sessions' context, over the same channels
 * as a Python node's. Made with its public no-argument constructor, one instance per run.
 *
 * <pre>{@code
 * public final class Upper implements JavaNode {
 *   public Future<Void> run(NodePorts ports, JsonObject config) {
 *     WriteStream<ChannelItem> out = ports.output("out");
 *     return ports.input("in").map(item -> ChannelItem.json(((String) item.data()).toUpperCase())).pipeTo(out);
 *   }
 * }
 * }</pre>
 */
public interface JavaNode {

  /**
   * Runs the node over {@code ports}; the future completes when it is done. Outputs it has not
   * ended are ended for it then, or, when the future failed, ended with the failure, which the
   * next node's iteration raises.
   */
  Future<Void> run(NodePorts ports, JsonObject config);
}
