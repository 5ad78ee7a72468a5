package io.commbus.node;

import io.commbus.bus.config.ConfigException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The classes a configuration names (callback handlers, consumer-group handlers, pools' types): loaded from
 * the node's class path and the configured {@code classPath}, checked to be what their setting
 * wants, and made with their public no-argument constructor. Every problem is a
 * {@link ConfigException} naming the setting, found before anything starts.
 */
final class UserClasses {

  private final ClassLoader loader;

  private UserClasses(ClassLoader loader) {
    this.loader = loader;
  }

  /** The classes of the node's class path and {@code classPath}, in that order. */
  static UserClasses from(List<Path> classPath) {
    ClassLoader parent = UserClasses.class.getClassLoader();
    if (classPath.isEmpty()) {
      return new UserClasses(parent);
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
    // Never closed: the classes live as long as the node.
    return new UserClasses(new URLClassLoader("commbus-user-classes", urls, parent));
  }

  /** Where the classes come from, for parts that load their own (the Java nodes of pipeline sessions). */
  ClassLoader loader() {
    return loader;
  }

  /** The class {@code className}; {@code field} names the setting. */
  Class<?> load(String field, String className) {
    try {
      return Class.forName(className, true, loader);
    } catch (ClassNotFoundException e) {
      throw new ConfigException(field, "no class " + className + " on the class path (add its jar or directory to"
          + " classPath)");
    } catch (LinkageError e) {
      throw new ConfigException(field, "class " + className + " cannot be loaded: " + e, e);
    }
  }

  /** A new instance of {@code className}, which must implement {@code wanted}; {@code field} names the setting. */
  <T> T make(String field, String className, Class<T> wanted) {
    Class<?> type = load(field, className);
    if (!wanted.isAssignableFrom(type)) {
      throw new ConfigException(field, className + " does not implement " + wanted.getName());
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
      return wanted.cast(constructor.newInstance());
    } catch (InvocationTargetException e) {
      throw new ConfigException(field, "the constructor of " + className + " failed: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new ConfigException(field, className + " cannot be made: " + e, e);
    }
  }
}
