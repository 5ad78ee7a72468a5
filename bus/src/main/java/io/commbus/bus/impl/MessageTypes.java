package io.commbus.bus.impl;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import io.commbus.bus.Category;
import io.commbus.bus.Command;
import io.commbus.bus.Event;
import io.commbus.bus.MessageType;
import io.commbus.bus.Query;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves, once per class, a Java message class's wire name, category and reply type. A class
 * that cannot be a message (a blank name, two category markers) is the programmer's mistake:
 * IllegalArgumentException.
 */
final class MessageTypes {

  /** What the bus needs to know about a message class. */
  static final class TypeInfo {
    final String name;
    /** Null when the class carries no category marker: the verb used decides. */
    final Category category;
    /**
     * Whether instances may be sent: the class says what type it is, by a category marker or by
     * {@link MessageType}. A class with neither ({@code String}, {@code Map}, {@code JsonObject},
     * a plain record) would be named by accident after its simple name.
     */
    final boolean message;
    final JavaType javaType;
    /** For queries, the declared reply type; else Object. */
    final JavaType replyType;

    TypeInfo(String name, Category category, boolean message, JavaType javaType, JavaType replyType) {
      this.name = name;
      this.category = category;
      this.message = message;
      this.javaType = javaType;
      this.replyType = replyType;
    }
  }

  private final TypeFactory typeFactory;
  private final Map<Class<?>, TypeInfo> cache = new ConcurrentHashMap<>();

  MessageTypes(TypeFactory typeFactory) {
    this.typeFactory = typeFactory;
  }

  TypeInfo of(Class<?> type) {
    return cache.computeIfAbsent(type, this::resolve);
  }

  private TypeInfo resolve(Class<?> type) {
    MessageType named = type.getAnnotation(MessageType.class);
    String name = named != null ? named.value() : type.getSimpleName();
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(type.getName() + " has no usable type name");
    }
    int markers = 0;
    Category category = null;
    if (Event.class.isAssignableFrom(type)) {
      category = Category.EVENT;
      markers++;
    }
    if (Command.class.isAssignableFrom(type)) {
      category = Category.COMMAND;
      markers++;
    }
    JavaType replyType = typeFactory.constructType(Object.class);
    if (Query.class.isAssignableFrom(type)) {
      category = Category.QUERY;
      markers++;
      JavaType[] params = typeFactory.findTypeParameters(type, Query.class);
      if (params.length == 1) {
        replyType = params[0];
      }
    }
    if (markers > 1) {
      throw new IllegalArgumentException(type.getName() + " is marked as more than one of Event, Command and Query");
    }
    return new TypeInfo(name, category, named != null || category != null, typeFactory.constructType(type), replyType);
  }
}
