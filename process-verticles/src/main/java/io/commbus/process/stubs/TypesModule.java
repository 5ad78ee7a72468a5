package io.commbus.process.stubs;

import io.commbus.process.stubs.PythonShapes.Field;
import io.commbus.process.stubs.PythonShapes.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The text of {@code commbus_types.py}: a {@code TypedDict} per Java class the callbacks and
 * pools use, a {@code Literal} per enum, aliases for each pool's request and reply, and with
 * dataclasses on, a dataclass per {@code TypedDict} ({@code <Name>Data}, with {@code from_dict}
 * and {@code to_dict}). Plain Python that runs as well as it type-checks.
 */
final class TypesModule {

  /** The suffix of a dataclass's name. */
  static final String DATA = "Data";

  private final StringBuilder out = new StringBuilder();

  private TypesModule() {
  }

  /** {@code aliases}: a pool's alias name to the type it stands for, in order. */
  static String render(String origin, List<Shape> shapes, Map<String, PyType> aliases, boolean dataclasses) {
    return new TypesModule().write(origin, shapes, aliases, dataclasses);
  }

  private String write(String origin, List<Shape> shapes, Map<String, PyType> aliases, boolean dataclasses) {
    line("\"\"\"The Java types of the callbacks and pools of " + origin + ", as their JSON looks from Python.");
    line("");
    line("Written by `commbus stubs`; write it again rather than edit it. What Java writes (a reply, a");
    line("callback's items, a pool's request) has every key, unless Java leaves empty values out; what");
    line("Python writes (a callback's request, a pool's reply) may leave out any key Java does not require.");
    line("\"\"\"");
    line("");
    line("from __future__ import annotations");
    line("");
    if (dataclasses) {
      line("from dataclasses import dataclass");
    }
    line("from typing import Any, Literal, NotRequired, TypedDict");
    line("");
    List<String> exported = new ArrayList<>();
    shapes.forEach(shape -> exported.add(shape.name()));
    exported.addAll(aliases.keySet());
    if (dataclasses) {
      shapes.stream().filter(shape -> !shape.isChoice()).forEach(shape -> exported.add(shape.name() + DATA));
    }
    line("__all__ = [");
    exported.forEach(name -> line("    " + PythonNames.literal(name) + ","));
    line("]");
    for (Shape shape : shapes) {
      line("");
      if (shape.isChoice()) {
        line("");
        line("#: " + shape.source().getName() + ", by its JSON values.");
        line(shape.name() + " = Literal[" + String.join(", ", shape.values().stream().map(PythonNames::literal)
            .toList()) + "]");
      } else {
        typedDict(shape);
      }
    }
    if (!aliases.isEmpty()) {
      line("");
      aliases.forEach((name, type) -> line(name + " = " + type.text()));
    }
    if (dataclasses) {
      shapes.stream().filter(shape -> !shape.isChoice()).forEach(this::dataclass);
    }
    return out.toString();
  }

  private void typedDict(Shape shape) {
    String doc = "\"\"\"" + shape.source().getName() + ", as " + (shape.writer() == PythonShapes.Writer.JAVA
        ? "Java writes it" : "Java reads it") + ".\"\"\"";
    boolean classSyntax = shape.fields().stream().allMatch(field -> PythonNames.usable(field.name()));
    line("");
    if (classSyntax) {
      line("class " + shape.name() + "(TypedDict):");
      line("    " + doc);
      if (!shape.fields().isEmpty()) {
        line("");
      }
      for (Field field : shape.fields()) {
        line("    " + field.name() + ": " + keyType(field, field.type().text()));
      }
      return;
    }
    // Keys Python cannot write as class fields ("from", "order-id"): the functional form, with quoted names.
    List<String> entries = new ArrayList<>();
    for (Field field : shape.fields()) {
      entries.add(PythonNames.literal(field.name()) + ": " + keyType(field,
          field.type().text(named -> PythonNames.literal(named.name()))));
    }
    line("#: " + doc.substring(3, doc.length() - 3));
    line(shape.name() + " = TypedDict(" + PythonNames.literal(shape.name()) + ", {" + String.join(", ", entries)
        + "})");
  }

  private static String keyType(Field field, String type) {
    return field.required() ? type : "NotRequired[" + type + "]";
  }

  private void dataclass(Shape shape) {
    String name = shape.name() + DATA;
    List<Field> ordered = new ArrayList<>();
    shape.fields().stream().filter(Field::required).forEach(ordered::add);
    shape.fields().stream().filter(field -> !field.required()).forEach(ordered::add);
    line("");
    line("");
    line("@dataclass");
    line("class " + name + ":");
    line("    \"\"\"" + shape.name() + " as an object: from_dict(d) reads one, to_dict() writes it back.\"\"\"");
    line("");
    for (Field field : ordered) {
      String type = field.type().text(TypesModule::dataName);
      line("    " + PythonNames.attribute(field.name()) + ": " + (field.required() ? type : type + " | None = None"));
    }
    line("");
    line("    @classmethod");
    line("    def from_dict(cls, data: " + shape.name() + ") -> " + name + ":");
    List<String> arguments = new ArrayList<>();
    for (Field field : ordered) {
      String key = PythonNames.literal(field.name());
      String value = field.required()
          ? fromDict(field.type(), "data[" + key + "]", 0)
          : fromDict(new PyType.Optional(field.type()), "data.get(" + key + ")", 0);
      arguments.add(PythonNames.attribute(field.name()) + "=" + value);
    }
    line("        return cls(" + String.join(", ", arguments) + ")");
    line("");
    line("    def to_dict(self) -> " + shape.name() + ":");
    List<String> required = new ArrayList<>();
    for (Field field : ordered) {
      if (field.required()) {
        required.add(PythonNames.literal(field.name()) + ": " + toDict(field.type(),
            "self." + PythonNames.attribute(field.name()), 0));
      }
    }
    line("        data: " + shape.name() + " = {" + String.join(", ", required) + "}");
    for (Field field : ordered) {
      if (!field.required()) {
        String attribute = "self." + PythonNames.attribute(field.name());
        line("        if " + attribute + " is not None:");
        line("            data[" + PythonNames.literal(field.name()) + "] = " + toDict(field.type(), attribute, 0));
      }
    }
    line("        return data");
  }

  private static String dataName(PyType.Named named) {
    return named.dict() ? named.name() + DATA : named.name();
  }

  /** The expression that turns {@code value}, JSON of {@code type}, into its dataclass form. */
  private static String fromDict(PyType type, String value, int depth) {
    return convert(type, value, depth, (named, v) -> named.name() + DATA + ".from_dict(" + v + ")");
  }

  /** The expression that turns {@code value}, a dataclass form of {@code type}, back into JSON. */
  private static String toDict(PyType type, String value, int depth) {
    return convert(type, value, depth, (named, v) -> v + ".to_dict()");
  }

  /**
   * {@code value} converted through lists, dicts and optionals down to each {@code TypedDict},
   * which {@code leaf} converts; values that hold none are taken as they are.
   */
  private static String convert(PyType type, String value, int depth, BiFunction<PyType.Named, String, String> leaf) {
    if (!type.holdsDict()) {
      return value;
    }
    String item = "v" + depth;
    if (type instanceof PyType.ListOf list) {
      return "[" + convert(list.element(), item, depth + 1, leaf) + " for " + item + " in " + value + "]";
    }
    if (type instanceof PyType.DictOf dict) {
      return "{k" + depth + ": " + convert(dict.value(), item, depth + 1, leaf) + " for k" + depth + ", " + item
          + " in " + value + ".items()}";
    }
    if (type instanceof PyType.Optional optional) {
      return "None if " + value + " is None else " + convert(optional.value(), value, depth, leaf);
    }
    return leaf.apply((PyType.Named) type, value);
  }

  private void line(String text) {
    out.append(text).append('\n');
  }
}
