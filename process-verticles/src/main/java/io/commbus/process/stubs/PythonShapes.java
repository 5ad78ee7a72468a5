package io.commbus.process.stubs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Python type expressions for Java types, as Jackson writes and reads them as JSON: names from
 * Jackson's properties (annotations and naming strategy included), nested classes as
 * {@code TypedDict}s of their own, lists, maps, enums as {@code Literal}s of their JSON values.
 * A type with no JSON shape to tell ({@code Object}, an interface) is {@code Any}.
 *
 * <p>Which keys a dict must have depends on who writes it. What Java writes (a reply, a
 * callback's items) has every property, unless the property is left out when empty
 * ({@code @JsonInclude(NON_NULL)} and the like). What Java reads (a request, a callback's
 * request) may leave out any property but a {@code @JsonProperty(required = true)} one:
 * Jackson gives a missing one its default.
 */
final class PythonShapes {

  /** Who writes the JSON a type describes. */
  enum Writer {
    /** Java writes it, Python reads it: every property is there. */
    JAVA,
    /** Python writes it, Java reads it: only required properties must be there. */
    PYTHON
  }

  /** A {@code TypedDict}, or with {@link #values} non-null a {@code Literal} alias of an enum's values. */
  record Shape(String name, Class<?> source, Writer writer, List<Field> fields, List<String> values) {
    boolean isChoice() {
      return values != null;
    }
  }

  /** One key of a {@code TypedDict}. */
  record Field(String name, PyType type, boolean required) {
  }

  private record Key(Class<?> type, Writer writer) {
  }

  static final PyType ANY = new PyType.Builtin("Any");
  static final PyType STR = new PyType.Builtin("str");
  static final PyType INT = new PyType.Builtin("int");
  static final PyType FLOAT = new PyType.Builtin("float");
  static final PyType BOOL = new PyType.Builtin("bool");
  static final PyType BYTES = new PyType.Builtin("bytes");

  private final ObjectMapper mapper;
  private final Map<Key, Shape> shapes = new LinkedHashMap<>();
  private final Set<String> names = new HashSet<>();
  /** The name of every shape begun, also one whose fields are still being read (a type that contains itself). */
  private final Map<Key, String> assigned = new LinkedHashMap<>();

  PythonShapes(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** Every {@code TypedDict} and {@code Literal} the expressions made so far refer to, enums and nested types first. */
  List<Shape> shapes() {
    return List.copyOf(shapes.values());
  }

  /** The Python type of {@code type} as a top-level body: raw bytes travel as {@code bytes}, not base64. */
  PyType body(Type type, Writer writer) {
    JavaType java = mapper.constructType(type);
    Class<?> raw = java.getRawClass();
    if (raw == Buffer.class || raw == byte[].class) {
      return BYTES;
    }
    return expression(java, writer);
  }

  private PyType expression(JavaType type, Writer writer) {
    Class<?> raw = type.getRawClass();
    if (raw.isPrimitive()) {
      return primitive(raw);
    }
    if (raw == String.class || raw == Character.class || raw == UUID.class || raw == URI.class || raw == URL.class
        || CharSequence.class.isAssignableFrom(raw) || Temporal.class.isAssignableFrom(raw)
        || Date.class.isAssignableFrom(raw) || raw == byte[].class || raw == Buffer.class) {
      return STR;  // Jackson writes dates as ISO strings with the JSR-310 module, bytes as base64
    }
    if (raw == Boolean.class) {
      return BOOL;
    }
    if (raw == Integer.class || raw == Long.class || raw == Short.class || raw == Byte.class
        || raw == BigInteger.class) {
      return INT;
    }
    if (Number.class.isAssignableFrom(raw)) {
      return FLOAT;  // BigDecimal, Double, Float, Number: a Python int fits where a float is asked
    }
    if (raw == JsonObject.class) {
      return new PyType.DictOf(ANY);
    }
    if (raw == JsonArray.class) {
      return new PyType.ListOf(ANY);
    }
    if (raw == java.util.Optional.class) {
      return new PyType.Optional(expression(type.containedTypeOrUnknown(0), writer));
    }
    if (type.isArrayType() || Collection.class.isAssignableFrom(raw)) {
      return new PyType.ListOf(expression(type.getContentType(), writer));
    }
    if (type.isMapLikeType()) {
      return new PyType.DictOf(expression(type.getContentType(), writer));
    }
    if (raw.isEnum()) {
      return new PyType.Named(choice(raw).name(), false);
    }
    if (raw == Object.class || raw.isInterface() || Modifier.isAbstract(raw.getModifiers())
        || raw.getName().startsWith("java.")) {
      return ANY;
    }
    return new PyType.Named(dict(type, writer).name(), true);
  }

  private static PyType primitive(Class<?> raw) {
    if (raw == boolean.class) {
      return BOOL;
    }
    if (raw == float.class || raw == double.class) {
      return FLOAT;
    }
    return raw == char.class ? STR : INT;
  }

  private Shape choice(Class<?> type) {
    Key key = new Key(type, Writer.JAVA);  // an enum's values are the same whoever writes them
    Shape known = shapes.get(key);
    if (known != null) {
      return known;
    }
    List<String> values = new ArrayList<>();
    for (Object constant : type.getEnumConstants()) {
      // Jackson's own spelling of the constant: @JsonProperty, @JsonValue and naming apply.
      values.add(String.valueOf(mapper.convertValue(constant, Object.class)));
    }
    Shape shape = new Shape(name(key), type, Writer.JAVA, List.of(), List.copyOf(values));
    shapes.put(key, shape);
    return shape;
  }

  private Shape dict(JavaType type, Writer writer) {
    Class<?> raw = type.getRawClass();
    Key key = new Key(raw, writer);
    Shape known = shapes.get(key);
    if (known != null) {
      return known;
    }
    if (assigned.containsKey(key)) {
      return new Shape(assigned.get(key), raw, writer, List.of(), null);  // a type within itself: its name will do
    }
    String name = name(key);
    List<Field> fields = new ArrayList<>();
    BeanDescription description = writer == Writer.JAVA
        ? mapper.getSerializationConfig().introspect(type)
        : mapper.getDeserializationConfig().introspect(type);
    JsonInclude.Value defaults = mapper.getSerializationConfig().getDefaultPropertyInclusion(raw,
        description.findPropertyInclusion(JsonInclude.Value.empty()));
    for (BeanPropertyDefinition property : description.findProperties()) {
      if (writer == Writer.JAVA ? !property.couldSerialize() : !property.couldDeserialize()) {
        continue;
      }
      boolean required;
      if (writer == Writer.JAVA) {
        JsonInclude.Value own = property.findInclusion();
        required = always((own == null ? defaults : defaults.withOverrides(own)).getValueInclusion());
      } else {
        required = property.isRequired();
      }
      fields.add(new Field(property.getName(), expression(property.getPrimaryType(), writer), required));
    }
    Shape shape = new Shape(name, raw, writer, List.copyOf(fields), null);
    // Nested shapes were added while the fields were read, so they come first, as Python wants them.
    shapes.put(key, shape);
    return shape;
  }

  private static boolean always(JsonInclude.Include inclusion) {
    return inclusion == null || inclusion == JsonInclude.Include.ALWAYS || inclusion == JsonInclude.Include.USE_DEFAULTS;
  }

  /**
   * A Python name for the type: its simple name, then with its enclosing classes', then its
   * package's, until it is unique. A type that both sides write gets two shapes; the second
   * one's name is the first's with {@code Input} (Python writes it) or {@code Output} appended.
   */
  private String name(Key key) {
    String other = assigned.get(new Key(key.type(), key.writer() == Writer.JAVA ? Writer.PYTHON : Writer.JAVA));
    String name = other != null ? unique(other + (key.writer() == Writer.PYTHON ? "Input" : "Output"))
        : unique(candidates(key.type()));
    assigned.put(key, name);
    return name;
  }

  private static List<String> candidates(Class<?> type) {
    List<String> candidates = new ArrayList<>();
    StringBuilder qualified = new StringBuilder(type.getSimpleName());
    candidates.add(qualified.toString());
    for (Class<?> outer = type.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
      qualified.insert(0, outer.getSimpleName());
      candidates.add(qualified.toString());
    }
    String[] packages = type.getPackageName().split("\\.");
    for (int i = packages.length - 1; i >= 0; i--) {
      qualified.insert(0, capitalized(packages[i]));
      candidates.add(qualified.toString());
    }
    return candidates;
  }

  private String unique(String name) {
    return unique(List.of(name));
  }

  private String unique(List<String> candidates) {
    for (String candidate : candidates) {
      if (names.add(candidate)) {
        return candidate;
      }
    }
    String last = candidates.get(candidates.size() - 1);
    for (int n = 2; ; n++) {
      if (names.add(last + "_" + n)) {
        return last + "_" + n;
      }
    }
  }

  private static String capitalized(String part) {
    return part.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1);
  }
}
