package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.NodeConfig;
import io.commbus.process.CallbackHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the callback handlers a configuration names ({@link UserClasses}), each checked to
 * implement {@link CallbackHandler} and to serve a path no other one serves. Every problem is a
 * {@link ConfigException} naming the entry, found before anything starts.
 */
final class CallbackHandlers {

  private CallbackHandlers() {
  }

  static List<CallbackHandler<?, ?>> load(NodeConfig config) {
    return load(config, UserClasses.from(config.getClassPath()));
  }

  static List<CallbackHandler<?, ?>> load(NodeConfig config, UserClasses classes) {
    if (config.getCallbackHandlers().isEmpty()) {
      return List.of();
    }
    List<CallbackHandler<?, ?>> handlers = new ArrayList<>();
    Map<String, String> paths = new HashMap<>();
    List<String> names = config.getCallbackHandlers();
    for (int i = 0; i < names.size(); i++) {
      String field = "callbackHandlers[" + i + "]";
      CallbackHandler<?, ?> handler = classes.make(field, names.get(i), CallbackHandler.class);
      String path;
      try {
        path = handler.path();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(field, names.get(i) + " serves an invalid path: " + e.getMessage());
      }
      String earlier = paths.putIfAbsent(path, field);
      if (earlier != null) {
        // Only one handler per path can be registered on a bus.
        throw new ConfigException(field, names.get(i) + " serves " + path + ", which " + earlier + " serves already");
      }
      handlers.add(handler);
    }
    return handlers;
  }
}
