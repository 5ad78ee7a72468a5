package io.commbus.node;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One object of a configuration file and where it sits in it ({@code pools[0]}). Every read
 * is typed and names the field when the value is wrong, and {@link #rejectUnknown()} catches
 * misspelt settings, which would otherwise be ignored in silence.
 */
final class ConfigSection {

  private final String path;
  private final JsonObject json;
  private final Path baseDirectory;
  private final Set<String> known = new LinkedHashSet<>();

  ConfigSection(String path, JsonObject json, Path baseDirectory) {
    this.path = path;
    this.json = json;
    this.baseDirectory = baseDirectory;
  }

  /** The path of a field of this section, as error messages show it. */
  String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  String path() {
    return path;
  }

  boolean has(String name) {
    known.add(name);
    return json.getValue(name) != null;
  }

  private Object value(String name) {
    known.add(name);
    return json.getValue(name);
  }

  String string(String name, String fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String)) {
      throw wrong(name, "must be a string", value);
    }
    return (String) value;
  }

  String requiredString(String name, String what) {
    String value = string(name, null);
    if (value == null || value.isBlank()) {
      throw new ConfigException(field(name), "required: " + what);
    }
    return value;
  }

  boolean bool(String name, boolean fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean)) {
      throw wrong(name, "must be true or false", value);
    }
    return (Boolean) value;
  }

  int integer(String name, int fallback, int min, int max) {
    return (int) number(name, fallback, min, max);
  }

  long number(String name, long fallback, long min, long max) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    long whole = wholeNumber(name, value);
    if (whole < min) {
      throw new ConfigException(field(name), "must be at least " + min + ", was " + whole);
    }
    if (whole > max) {
      throw new ConfigException(field(name), "must be at most " + max + ", was " + whole);
    }
    return whole;
  }

  private long wholeNumber(String name, Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number) {
      double d = ((Number) value).doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 9e15) {
        return (long) d;
      }
    }
    throw wrong(name, "must be a whole number", value);
  }

  /** A duration written as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or whole milliseconds. */
  Duration duration(String name, Duration fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    Duration duration;
    if (value instanceof String) {
      try {
        duration = Durations.parse((String) value);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(field(name), "must be " + e.getMessage());
      }
    } else {
      duration = Duration.ofMillis(wholeNumber(name, value));
    }
    return duration;
  }

  /** Like {@link #duration} but zero and negative durations are refused. */
  Duration positiveDuration(String name, Duration fallback) {
    Duration duration = duration(name, fallback);
    if (duration != null && (duration.isZero() || duration.isNegative())) {
      throw new ConfigException(field(name), "must be longer than zero");
    }
    return duration;
  }

  /** A path; relative ones are taken from the configuration file's directory. */
  Path path(String name, Path fallback) {
    String text = string(name, null);
    if (text == null) {
      return fallback;
    }
    if (text.isBlank()) {
      throw new ConfigException(field(name), "must not be empty");
    }
    return resolve(text);
  }

  Path resolve(String text) {
    return baseDirectory.resolve(text).normalize();
  }

  Path baseDirectory() {
    return baseDirectory;
  }

  List<String> strings(String name) {
    Object value = value(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray)) {
      throw wrong(name, "must be a list of strings", value);
    }
    List<String> strings = new ArrayList<>();
    JsonArray array = (JsonArray) value;
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      if (!(item instanceof String) || ((String) item).isBlank()) {
        throw new ConfigException(field(name) + "[" + i + "]", "must be a non-empty string, was " + describe(item));
      }
      strings.add((String) item);
    }
    return strings;
  }

  /** An object of string values ({@code env}); numbers and booleans are taken as their text. */
  Map<String, String> stringMap(String name) {
    Object value = value(name);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject)) {
      throw wrong(name, "must be an object of names to strings", value);
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : (JsonObject) value) {
      Object item = entry.getValue();
      if (item instanceof String || item instanceof Number || item instanceof Boolean) {
        map.put(entry.getKey(), String.valueOf(item));
      } else {
        throw new ConfigException(field(name) + "." + entry.getKey(), "must be a string, was " + describe(item));
      }
    }
    return map;
  }

  /** A nested object; an empty one when the field is missing, so its defaults apply. */
  ConfigSection section(String name) {
    Object value = value(name);
    if (value == null) {
      return new ConfigSection(field(name), new JsonObject(), baseDirectory);
    }
    if (!(value instanceof JsonObject)) {
      throw wrong(name, "must be an object", value);
    }
    return new ConfigSection(field(name), (JsonObject) value, baseDirectory);
  }

  /** A list of objects, each a section named {@code name[i]}. */
  List<ConfigSection> sections(String name) {
    Object value = value(name);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray)) {
      throw wrong(name, "must be a list of objects", value);
    }
    List<ConfigSection> sections = new ArrayList<>();
    JsonArray array = (JsonArray) value;
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      String itemPath = field(name) + "[" + i + "]";
      if (!(item instanceof JsonObject)) {
        throw new ConfigException(itemPath, "must be an object, was " + describe(item));
      }
      sections.add(new ConfigSection(itemPath, (JsonObject) item, baseDirectory));
    }
    return sections;
  }

  /** Fails on the first field no read asked for: a typo, or a setting of another journal kind. */
  void rejectUnknown() {
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        throw new ConfigException(field(name), "unknown setting; known here: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  ConfigException wrong(String name, String expected, Object value) {
    return new ConfigException(field(name), expected + ", was " + describe(value));
  }

  private static String describe(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      return "\"" + value + "\"";
    }
    if (value instanceof JsonObject) {
      return "an object";
    }
    if (value instanceof JsonArray) {
      return "a list";
    }
    return String.valueOf(value);
  }
}
