package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.NodeConfig;
import io.commbus.node.config.PoolConfig;
import io.commbus.process.CallbackHandler;
import io.commbus.process.stubs.PythonStubs;

import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed Python stubs of a node ({@code commbus stubs}, {@code GET /stubs}): its callback
 * handlers with their request and item types, and its pools with the {@code requestType} and
 * {@code replyType} their configuration names.
 */
public final class NodeStubs {

  private NodeStubs() {
  }

  /** The stubs of the node {@code config} describes, its classes loaded as the node would load them. */
  public static PythonStubs of(NodeConfig config, String origin, boolean dataclasses) {
    UserClasses classes = UserClasses.from(config.getClassPath());
    return of(config, CallbackHandlers.load(config, classes), classes, origin, dataclasses);
  }

  static PythonStubs of(NodeConfig config, List<CallbackHandler<?, ?>> handlers, UserClasses classes, String origin,
                        boolean dataclasses) {
    return of(handlers, pools(config, classes), origin, dataclasses);
  }

  static PythonStubs of(List<CallbackHandler<?, ?>> handlers, List<PythonStubs.Pool> pools, String origin,
                        boolean dataclasses) {
    List<PythonStubs.Callback> callbacks = new ArrayList<>();
    for (CallbackHandler<?, ?> handler : handlers) {
      callbacks.add(new PythonStubs.Callback(handler.path(), handler.requestType(), handler.itemType()));
    }
    return new PythonStubs(origin, callbacks, pools, dataclasses);
  }

  /** The pools with their types; a type that cannot be loaded is a {@link ConfigException} naming its setting. */
  static List<PythonStubs.Pool> pools(NodeConfig config, UserClasses classes) {
    List<PythonStubs.Pool> pools = new ArrayList<>();
    List<PoolConfig> configured = config.getPools();
    for (int i = 0; i < configured.size(); i++) {
      PoolConfig pool = configured.get(i);
      pools.add(new PythonStubs.Pool(pool.getPool().getName(), pool.getPool().getType(),
          type(classes, "pools[" + i + "].requestType", pool.getRequestType()),
          type(classes, "pools[" + i + "].replyType", pool.getReplyType())));
    }
    return pools;
  }

  private static Type type(UserClasses classes, String field, String className) {
    return className == null ? Object.class : classes.load(field, className);
  }
}
