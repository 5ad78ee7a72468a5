package io.commbus.bus.config;

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
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * One object of a configuration file and where it sits in it ({@code pools[0]}). Every read
 * is typed and names the field when the value is wrong, and {@link #rejectUnknown()} catches
 * misspelt settings, which would otherwise be ignored in silence.
 *
 * <p>Options classes read themselves from a section ({@code readFrom(ConfigSection)}) with the
 * {@code apply*} methods: a field that is present is read with its type checked and handed to
 * the options' setter, which states the bound; a field that is absent leaves the options'
 * default alone. So each default and bound is written once, in the options class, and a bad
 * value still comes back naming its field ({@code pools[0].maxInFlight: must be at least 1, was 0}).
 */
public final class ConfigSection {

  private final String path;
  private final JsonObject json;
  private final Path baseDirectory;
  private final Set<String> known = new LinkedHashSet<>();

  public ConfigSection(String path, JsonObject json, Path baseDirectory) {
    this.path = path;
    this.json = json;
    this.baseDirectory = baseDirectory;
  }

  /** The whole of {@code json} as a configuration, relative paths taken from the working directory. */
  public static ConfigSection of(JsonObject json) {
    return new ConfigSection("", json, Path.of("").toAbsolutePath());
  }

  /** The path of a field of this section, as error messages show it. */
  public String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  public String path() {
    return path;
  }

  public boolean has(String name) {
    known.add(name);
    return json.getValue(name) != null;
  }

  private Object value(String name) {
    known.add(name);
    return json.getValue(name);
  }

  public String string(String name, String fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String)) {
      throw wrong(name, "must be a string", value);
    }
    return (String) value;
  }

  /** After the reads: fails on {@code name}, saying {@code what} it is for, if the options still have no {@code value}. */
  public void require(String name, Object value, String what) {
    if (value == null) {
      throw new ConfigException(field(name), "required: " + what);
    }
  }

  public boolean bool(String name, boolean fallback) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof Boolean)) {
      throw wrong(name, "must be true or false", value);
    }
    return (Boolean) value;
  }

  public int integer(String name, int fallback, int min, int max) {
    return (int) number(name, fallback, min, max);
  }

  public long number(String name, long fallback, long min, long max) {
    Object value = value(name);
    if (value == null) {
      return fallback;
    }
    long whole = wholeNumber(name, value);
    try {
      return Check.between(name, whole, min, max);
    } catch (InvalidSettingException e) {
      throw new ConfigException(field(name), e.problem(), e);
    }
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
  public Duration duration(String name, Duration fallback) {
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

  /** A path; relative ones are taken from the configuration file's directory. */
  public Path path(String name, Path fallback) {
    String text = string(name, null);
    if (text == null) {
      return fallback;
    }
    if (text.isBlank()) {
      throw new ConfigException(field(name), "must not be empty");
    }
    return resolve(text);
  }

  public Path resolve(String text) {
    return baseDirectory.resolve(text).normalize();
  }

  public List<String> strings(String name) {
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
  public Map<String, String> stringMap(String name) {
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
  public ConfigSection section(String name) {
    Object value = value(name);
    if (value == null) {
      return new ConfigSection(field(name), new JsonObject(), baseDirectory);
    }
    if (!(value instanceof JsonObject)) {
      throw wrong(name, "must be an object", value);
    }
    return new ConfigSection(field(name), (JsonObject) value, baseDirectory);
  }

  /** A nested object as JSON, taken whole (no field of it is checked here); empty when the field is missing. */
  public JsonObject object(String name) {
    Object value = value(name);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject)) {
      throw wrong(name, "must be an object", value);
    }
    return ((JsonObject) value).copy();
  }

  /** A list of objects, each a section named {@code name[i]}. */
  public List<ConfigSection> sections(String name) {
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

  // ---------------------------------------------------------------- into options setters

  /** Hands the string at {@code name}, when present, to {@code setter}. */
  public void applyString(String name, Consumer<String> setter) {
    apply(name, string(name, null), setter);
  }

  /** Hands the boolean at {@code name}, when present, to {@code setter}. */
  public void applyBool(String name, Consumer<Boolean> setter) {
    if (has(name)) {
      apply(name, bool(name, false), setter);
    }
  }

  /** Hands the whole number at {@code name}, when present, to {@code setter}, which states the bounds. */
  public void applyInt(String name, IntConsumer setter) {
    Object value = value(name);
    if (value != null) {
      long whole = wholeNumber(name, value);
      if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
        throw new ConfigException(field(name), "must be a whole number of at most " + Integer.MAX_VALUE + ", was " + whole);
      }
      apply(name, (int) whole, setter::accept);
    }
  }

  /** Hands the whole number at {@code name}, when present, to {@code setter}, which states the bounds. */
  public void applyLong(String name, LongConsumer setter) {
    Object value = value(name);
    if (value != null) {
      apply(name, wholeNumber(name, value), setter::accept);
    }
  }

  /** Hands the duration at {@code name} ({@code 500ms}, {@code 30s}, ...), when present, to {@code setter}. */
  public void applyDuration(String name, Consumer<Duration> setter) {
    apply(name, duration(name, null), setter);
  }

  /** Hands the path at {@code name}, resolved against the file's directory, when present, to {@code setter}. */
  public void applyPath(String name, Consumer<Path> setter) {
    apply(name, path(name, null), setter);
  }

  /** Hands the list of strings at {@code name}, when present, to {@code setter}. */
  public void applyStrings(String name, Consumer<List<String>> setter) {
    if (has(name)) {
      apply(name, strings(name), setter);
    }
  }

  /** Hands the paths listed at {@code name}, resolved against the file's directory, when present, to {@code setter}. */
  public void applyPaths(String name, Consumer<List<Path>> setter) {
    if (has(name)) {
      apply(name, strings(name).stream().map(this::resolve).toList(), setter);
    }
  }

  /** Hands each entry of the object at {@code name} to {@code setter}; a refusal names it ({@code env.PYTHONPATH}). */
  public void applyStringMap(String name, BiConsumer<String, String> setter) {
    stringMap(name).forEach((key, value) -> apply(name + "." + key, value, v -> setter.accept(key, v)));
  }

  /**
   * Runs {@code setter} on a value read from {@code name}, if there is one. What the setter
   * refuses comes back as a {@link ConfigException} on this field, or on the item of it the
   * setter names ({@code callbacks[1]}).
   */
  private <T> void apply(String name, T value, Consumer<T> setter) {
    if (value == null) {
      return;
    }
    try {
      setter.accept(value);
    } catch (InvalidSettingException e) {
      throw new ConfigException(field(e.setting().startsWith(name + "[") ? e.setting() : name), e.problem(), e);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(field(name), e.getMessage(), e);
    }
  }

  /** Fails on the first field no read asked for: a typo, or a setting of another journal kind. */
  public void rejectUnknown() {
    for (String name : json.fieldNames()) {
      if (!known.contains(name)) {
        throw new ConfigException(field(name), "unknown setting; known here: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  public ConfigException wrong(String name, String expected, Object value) {
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
