package io.commbus.node;

import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.NodeConfig;
import io.commbus.process.CallbackHandler;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the callback handlers a configuration names: each class is loaded (from the node's
 * class path and the configured {@code classPath}), checked to implement
 * {@link CallbackHandler}, and made with its public no-argument constructor. Every problem is
 * a {@link ConfigException} naming the entry, found before anything starts.
 */
final class CallbackHandlers {

  private CallbackHandlers() {
  }

  static List<CallbackHandler<?, ?>> load(NodeConfig config) {
    if (config.getCallbackHandlers().isEmpty()) {
      return List.of();
    }
    ClassLoader loader = classLoader(config.getClassPath());
    List<CallbackHandler<?, ?>> handlers = new ArrayList<>();
    Map<String, String> paths = new HashMap<>();
    List<String> names = config.getCallbackHandlers();
    for (int i = 0; i < names.size(); i++) {
      String field = "callbackHandlers[" + i + "]";
      CallbackHandler<?, ?> handler = instantiate(field, names.get(i), loader);
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

  private static ClassLoader classLoader(List<Path> classPath) {
    ClassLoader parent = CallbackHandlers.class.getClassLoader();
    if (classPath.isEmpty()) {
      return parent;
    }
    URL[] urls = new URL[classPath.size()];
    for (int i = 0; i < classPath.size(); i++) {
      Path entry = classPath.get(i);
      if (!Files.exists(entry)) {
        throw new ConfigException("classPath[" + i + "]", "no such jar or directory: " + entry);
      }
      try {
        urls[i] = entry.toUri().toURL();
      } catch (MalformedURLException e) {
        throw new ConfigException("classPath[" + i + "]", "not a usable path: " + entry, e);
      }
    }
    // Never closed: the handlers' classes live as long as the node.
    return new URLClassLoader("commbus-callback-handlers", urls, parent);
  }

  private static CallbackHandler<?, ?> instantiate(String field, String className, ClassLoader loader) {
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new ConfigException(field, "no class " + className + " on the class path (add its jar or directory to"
          + " classPath)");
    } catch (LinkageError e) {
      throw new ConfigException(field, "class " + className + " cannot be loaded: " + e, e);
    }
    if (!CallbackHandler.class.isAssignableFrom(type)) {
      throw new ConfigException(field, className + " does not implement " + CallbackHandler.class.getName());
    }
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      throw new ConfigException(field, className + " is abstract; name a concrete class");
    }
    Constructor<?> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new ConfigException(field, className + " has no public no-argument constructor");
    }
    try {
      return (CallbackHandler<?, ?>) constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new ConfigException(field, "the constructor of " + className + " failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(field, className + " cannot be made: " + e, e);
    }
  }
}
