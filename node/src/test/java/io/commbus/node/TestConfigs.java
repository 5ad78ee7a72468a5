package io.commbus.node;

import io.commbus.node.config.ConfigReader;
import io.commbus.node.config.NodeConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/** Node configurations for tests: a file journal and sockets in a temporary directory, admin on any free port. */
public final class TestConfigs {

  /** Worker modules for the node's tests. */
  public static final Path PYTHON = Path.of("src/test/resources/python").toAbsolutePath();

  private TestConfigs() {
  }

  /** A node with a journal and a runtime directory under {@code dir}, no pools. */
  public static JsonObject node(Path dir) {
    return new JsonObject()
        .put("admin", new JsonObject().put("port", 0))
        .put("journal", new JsonObject().put("type", "file").put("directory", dir.resolve("journal").toString())
            .put("fsync", "never"))
        .put("runtimeDirectory", dir.resolve("run").toString())
        .put("coordinator", new JsonObject().put("heartbeatTtl", "2s").put("checkInterval", "100ms"));
  }

  /** A pool of the test workers with short timings. */
  public static JsonObject pool(String name, String type, String function, int size) {
    return new JsonObject().put("name", name).put("type", type).put("module", "node_workers")
        .put("function", function).put("size", size).put("pythonPath", new JsonArray().add(PYTHON.toString()))
        .put("shutdownGrace", "2s").put("heartbeatInterval", "200ms");
  }

  /** The pricing pool: two children answering test.Quote with the help of the SpreadCallback handler. */
  public static JsonObject pricing() {
    return pool("pricing", "test.Quote", "quote", 2).put("callbacks", new JsonArray().add("test.Spread"))
        .put("env", new JsonObject().put("QUOTE_MODE", "test")).put("serveAsService", true)
        .put("capabilities", new JsonArray().add("quote"));
  }

  static NodeConfig parse(JsonObject json, Path dir) {
    return ConfigReader.parse(json.encodePrettily(), ConfigReader.Format.JSON, dir);
  }

  public static Path write(Path dir, String name, JsonObject json) {
    try {
      return Files.writeString(dir.resolve(name), json.encodePrettily());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.await(90, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 90 s", e);
    }
  }

  /** Every file and directory below {@code dir}, for "nothing left behind" checks. */
  static List<Path> contents(Path dir) {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> !p.equals(dir)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pids of a pool's children from {@code /processes}. */
  public static List<Long> pids(JsonObject processes, String pool) {
    return processes.getJsonArray("pools").stream().map(JsonObject.class::cast)
        .filter(p -> p.getString("name").equals(pool))
        .flatMap(p -> p.getJsonArray("children").stream().map(JsonObject.class::cast))
        .map(child -> child.getLong("pid")).toList();
  }

  public static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
