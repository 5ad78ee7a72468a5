package io.commbus.process.stubs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.commbus.process.CallbackPaths;
import io.commbus.process.pool.PythonSdk;
import io.commbus.process.stubs.PythonShapes.Shape;
import io.commbus.process.stubs.PythonShapes.Writer;
import io.vertx.core.json.jackson.DatabindCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Typed Python for a node's callbacks and pools, for {@code mypy} and IDEs. Written into one
 * directory, to put on the type checker's path ({@code MYPYPATH}) and, for the types, the
 * worker's {@code pythonPath}:
 *
 * <ul>
 *   <li>{@code commbus/}: the SDK as this node's jar carries it, so the checker sees its API;</li>
 *   <li>{@code commbus/_callback_types.pyi}: each callback as {@code commbus.<module>.<Type>},
 *       taking its Java request type and returning a stream of its Java item type;</li>
 *   <li>{@code commbus_types.py}: the {@code TypedDict}s of those types and of each pool's
 *       request and reply ({@code <Pool>Request}, {@code <Pool>Reply}), and with dataclasses
 *       on, a dataclass per {@code TypedDict} with {@code from_dict} and {@code to_dict}.</li>
 * </ul>
 *
 * The types are Jackson's view of the Java classes, through Vert.x's mapper, which the bus
 * reads and writes bodies with.
 */
public final class PythonStubs {

  /** The module the types are written to; a worker imports them from it. */
  public static final String TYPES_MODULE = "commbus_types";
  /** The file of the typed callbacks, inside the SDK copy. */
  public static final String CALLBACKS_STUB = "commbus/_callback_types.pyi";

  /** A callback: its path ({@code market.MarketData}), the type it reads and the type of its items. */
  public record Callback(String path, Type request, Type item) {
    public Callback {
      CallbackPaths.check(path);
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(item, "item");
    }
  }

  /** A pool, its bus type, and the Java types of its requests and replies ({@code Object}: any JSON). */
  public record Pool(String name, String messageType, Type request, Type reply) {
    public Pool {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(reply, "reply");
    }
  }

  private final String origin;
  private final List<Callback> callbacks;
  private final List<Pool> pools;
  private final boolean dataclasses;
  private final ObjectMapper mapper;

  /**
   * @param origin      what the stubs describe, for their docstrings ("node trading (node.yaml)")
   * @param dataclasses whether to write a dataclass per {@code TypedDict} as well
   */
  public PythonStubs(String origin, List<Callback> callbacks, List<Pool> pools, boolean dataclasses) {
    this.origin = Objects.requireNonNull(origin, "origin");
    this.callbacks = List.copyOf(callbacks);
    this.pools = List.copyOf(pools);
    this.dataclasses = dataclasses;
    this.mapper = DatabindCodec.mapper();
  }

  /** The generated files (not the SDK), by path relative to the output directory. */
  public Map<String, String> files() {
    PythonShapes shapes = new PythonShapes(mapper);
    // Sorted, so the same node gives the same stubs.
    Map<String, Map<String, String[]>> modules = new TreeMap<>();
    for (Callback callback : callbacks) {
      String module = callback.path().substring(0, callback.path().indexOf('.'));
      String type = callback.path().substring(callback.path().indexOf('.') + 1);
      PyType request = shapes.body(callback.request(), Writer.PYTHON);
      PyType item = shapes.body(callback.item(), Writer.JAVA);
      modules.computeIfAbsent(module, m -> new TreeMap<>()).put(type, new String[] {request.text(), item.text(),
          optionalPayload(request, shapes) ? " = ..." : ""});
    }
    Map<String, PyType> aliases = new LinkedHashMap<>();
    for (Pool pool : pools) {
      String prefix = PythonNames.camel(pool.name());
      aliases.put(prefix + "Request", shapes.body(pool.request(), Writer.JAVA));
      aliases.put(prefix + "Reply", shapes.body(pool.reply(), Writer.PYTHON));
    }
    List<Shape> all = shapes.shapes();
    Map<String, String> files = new LinkedHashMap<>();
    files.put(TYPES_MODULE + ".py", TypesModule.render(origin, all, aliases, dataclasses));
    files.put(CALLBACKS_STUB, callbackStub(modules, all));
    return files;
  }

  /** Writes the SDK and {@link #files()} into {@code directory}; returns the paths written. */
  public List<Path> writeTo(Path directory) {
    return write(directory, files());
  }

  /**
   * Writes the SDK and {@code files} (as {@link #files()} made them, here or on a node) into
   * {@code directory}, creating it; returns the paths of the files, the SDK's not listed.
   */
  public static List<Path> write(Path directory, Map<String, String> files) {
    PythonSdk.copyInto(directory);
    List<Path> written = new ArrayList<>();
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = directory.resolve(file.getKey()).toAbsolutePath().normalize();
        if (!path.startsWith(directory.toAbsolutePath().normalize())) {
          throw new IllegalArgumentException("a stub file must lie inside " + directory + ", not " + file.getKey());
        }
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        written.add(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the stubs into " + directory + ": " + e.getMessage(), e);
    }
    return written;
  }

  /** A request dict with no required key may be left out, as the SDK sends {@code {}} then. */
  private static boolean optionalPayload(PyType request, PythonShapes shapes) {
    if (request instanceof PyType.Builtin builtin) {
      return builtin.text().equals("Any");
    }
    if (request instanceof PyType.DictOf) {
      return true;
    }
    if (request instanceof PyType.Named named && named.dict()) {
      return shapes.shapes().stream().filter(shape -> shape.name().equals(named.name()))
          .allMatch(shape -> shape.fields().stream().noneMatch(PythonShapes.Field::required));
    }
    return false;
  }

  private String callbackStub(Map<String, Map<String, String[]>> modules, List<Shape> shapes) {
    StringBuilder out = new StringBuilder();
    out.append("\"\"\"The callbacks of ").append(origin).append(", typed: commbus.<module>.<Type>(request) for each.\n\n")
        .append("Written by `commbus stubs`; write it again rather than edit it. Each returns the stream of\n")
        .append("the callback's items; the types are in ").append(TYPES_MODULE).append(".\n\"\"\"\n\n")
        .append("from typing import Any\n\n")
        .append("from commbus._streams import ItemStream\n");
    if (!shapes.isEmpty()) {
      out.append("from ").append(TYPES_MODULE).append(" import ")
          .append(String.join(", ", shapes.stream().map(Shape::name).toList())).append('\n');
    }
    List<String> exported = new ArrayList<>();
    StringBuilder classes = new StringBuilder();
    StringBuilder attributes = new StringBuilder();
    for (Map.Entry<String, Map<String, String[]>> module : modules.entrySet()) {
      String name = module.getKey();
      if (!PythonNames.usable(name) || SDK_NAMES.contains(name)) {
        classes.append("\n# ").append(name).append(".*: not an attribute commbus can have (a Python keyword, or a name")
            .append(" of the SDK's own); call these with commbus.callback_handle(\"").append(name).append(".Type\", ...)\n");
        continue;
      }
      String namespace = "_" + PythonNames.camel(name) + "Callbacks";
      classes.append("\n\nclass ").append(namespace).append(":\n")
          .append("    \"\"\"The callbacks under commbus.").append(name).append(".\"\"\"\n");
      for (Map.Entry<String, String[]> callback : module.getValue().entrySet()) {
        String[] types = callback.getValue();
        if (!PythonNames.usable(callback.getKey())) {
          continue;
        }
        classes.append("\n    def ").append(callback.getKey()).append("(\n        self, payload: ").append(types[0])
            .append(types[2]).append(", *, timeout: float | None = ..., window: int = ...\n    ) -> ItemStream[")
            .append(types[1]).append("]: ...\n");
      }
      attributes.append(name).append(": ").append(namespace).append('\n');
      exported.add(name);
    }
    out.append("\n__all__ = [").append(String.join(", ", exported.stream().map(PythonNames::literal).toList()))
        .append("]\n").append(classes).append("\n\n").append(attributes);
    return out.toString().replace("\n\n\n\n", "\n\n\n");
  }

  /**
   * Attributes the commbus module has of its own (its API and submodules), which a callback
   * namespace cannot take; PythonStubsTest holds this to the SDK's {@code dir(commbus)}.
   */
  static final Set<String> SDK_NAMES = Set.of("connect", "connect_sync", "publish", "send", "query",
      "query_stream", "subscribe", "callback_handle", "callback_paths", "current_request", "errors", "client", "sync",
      "child", "forkserver", "frames", "channels", "pipeline", "sessions", "annotations", "ItemStream", "Event", "Subscription", "CommBusError", "error_from");
}
