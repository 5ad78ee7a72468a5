package io.commbus.process.child;

import io.commbus.process.wire.Protocol;

import java.nio.file.Path;
import java.util.Map;

/**
 * Builds a child's environment, in this order, each layer over the one before: the node's
 * {@code PATH} (so a bare program name resolves as it does for the node), then the configured
 * variables (which may set their own {@code PATH}), then the protocol's variables. Nothing
 * else of the node's environment reaches the child. Configuration cannot name a protocol
 * variable: the options refuse it before anything starts.
 */
final class ChildEnvironment {

  private static final String PATH = "PATH";

  private ChildEnvironment() {
  }

  /** Replaces the contents of {@code target} (a ProcessBuilder's environment) with the child's. */
  static void fill(Map<String, String> target, Map<String, String> configured, Path socket, String token,
                   String childId) {
    fillTemplate(target, configured);
    target.put(Protocol.ENV_SOCKET, socket.toString());
    target.put(Protocol.ENV_TOKEN, token);
    target.put(Protocol.ENV_CHILD_ID, childId);
  }

  /**
   * The environment of a fork server: the child's without the protocol's variables, which the
   * server sets in each child it forks.
   */
  static void fillTemplate(Map<String, String> target, Map<String, String> configured) {
    String path = target.get(PATH);
    target.clear();
    if (path != null) {
      target.put(PATH, path);
    }
    target.putAll(configured);
  }
}
