package io.commbus.process.stubs;

import java.util.function.Function;

/**
 * A Python type as the stubs write it: a builtin ({@code str}, {@code Any}), a list or dict of
 * one, an optional one, or a shape of the stubs' own ({@code TypedDict} or enum {@code Literal}),
 * by name. A tree rather than text, so the dataclasses can say both the type and how to convert it.
 */
sealed interface PyType {

  /** {@code str}, {@code int}, {@code float}, {@code bool}, {@code bytes}, {@code Any}, {@code dict[str, Any]}, ... */
  record Builtin(String text) implements PyType {
  }

  record ListOf(PyType element) implements PyType {
  }

  /** A dict with string keys, a Java map. */
  record DictOf(PyType value) implements PyType {
  }

  record Optional(PyType value) implements PyType {
  }

  /** A shape the stubs define: {@code dict} a {@code TypedDict}, otherwise an enum's {@code Literal}. */
  record Named(String name, boolean dict) implements PyType {
  }

  /** The type as a {@code TypedDict} field or signature writes it. */
  default String text() {
    return text(named -> named.name());
  }

  /** The type with each {@link Named} written as {@code naming} says (a dataclass for a dict, say). */
  default String text(Function<Named, String> naming) {
    if (this instanceof Builtin builtin) {
      return builtin.text();
    }
    if (this instanceof ListOf list) {
      return "list[" + list.element().text(naming) + "]";
    }
    if (this instanceof DictOf dict) {
      return "dict[str, " + dict.value().text(naming) + "]";
    }
    if (this instanceof Optional optional) {
      return optional.value().text(naming) + " | None";
    }
    return naming.apply((Named) this);
  }

  /** Whether a value of this type holds a {@code TypedDict} somewhere, which a dataclass converts. */
  default boolean holdsDict() {
    if (this instanceof ListOf list) {
      return list.element().holdsDict();
    }
    if (this instanceof DictOf dict) {
      return dict.value().holdsDict();
    }
    if (this instanceof Optional optional) {
      return optional.value().holdsDict();
    }
    return this instanceof Named named && named.dict();
  }
}
