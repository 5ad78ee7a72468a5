package io.commbus.node;

import io.commbus.bus.StreamSink;
import io.commbus.bus.config.ConfigException;
import io.commbus.node.config.NodeConfig;
import io.commbus.process.CallbackHandler;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallbackHandlersTest {

  @TempDir
  Path dir;

  /** A handler without a no-argument constructor. */
  public static class NeedsArgument extends SpreadCallback {
    public NeedsArgument(String argument) {
    }
  }

  /** A handler whose constructor fails. */
  public static class Exploding extends SpreadCallback {
    public Exploding() {
      throw new IllegalStateException("no market data today");
    }
  }

  /** A handler that cannot be made at all. */
  public abstract static class Unfinished implements CallbackHandler<JsonObject, JsonObject> {
    @Override
    public void handle(JsonObject request, StreamSink<JsonObject> sink) {
    }
  }

  private static NodeConfig handlers(String... classNames) {
    return new NodeConfig().setCallbackHandlers(List.of(classNames));
  }

  @Test
  void aHandlerIsMadeWithItsNoArgumentConstructor() {
    List<CallbackHandler<?, ?>> loaded = CallbackHandlers.load(handlers(SpreadCallback.class.getName()));
    assertInstanceOf(SpreadCallback.class, loaded.get(0));
    assertEquals("test.Spread", loaded.get(0).path());
  }

  @Test
  void everyProblemNamesTheEntry() {
    assertProblem(handlers(SpreadCallback.class.getName(), "com.example.Missing"),
        "callbackHandlers[1]: no class com.example.Missing on the class path");
    assertProblem(handlers("java.lang.String"),
        "callbackHandlers[0]: java.lang.String does not implement io.commbus.process.CallbackHandler");
    assertProblem(handlers(NeedsArgument.class.getName()),
        "callbackHandlers[0]: " + NeedsArgument.class.getName() + " has no public no-argument constructor");
    assertProblem(handlers(Exploding.class.getName()),
        "callbackHandlers[0]: the constructor of " + Exploding.class.getName() + " failed: "
            + "java.lang.IllegalStateException: no market data today");
    assertProblem(handlers(Unfinished.class.getName()),
        "callbackHandlers[0]: " + Unfinished.class.getName() + " is abstract");
    assertProblem(handlers(SpreadCallback.class.getName()).setClassPath(List.of(dir.resolve("missing.jar"))),
        "classPath[0]: no such jar or directory: ");
  }

  @Test
  void handlersComeFromTheConfiguredClassPathToo() throws IOException {
    // A handler compiled here, into a directory only the configuration names, as a user's would be.
    Path sources = Files.createDirectories(dir.resolve("src/example"));
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path source = Files.writeString(sources.resolve("ClockCallback.java"), """
        package example;
        public class ClockCallback extends io.commbus.node.SpreadCallback {
          @Override
          public String typeName() {
            return "Clock";
          }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int status = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
        source.toString());
    assertEquals(0, status, "the handler compiles");

    assertProblem(handlers("example.ClockCallback"), "callbackHandlers[0]: no class example.ClockCallback");
    List<CallbackHandler<?, ?>> loaded = CallbackHandlers.load(handlers("example.ClockCallback")
        .setClassPath(List.of(classes)));
    assertEquals("test.Clock", loaded.get(0).path());
  }

  @Test
  void twoHandlersForOnePathAreRefused() {
    assertProblem(handlers(SpreadCallback.class.getName(), SpreadCallback.class.getName()),
        "callbackHandlers[1]: " + SpreadCallback.class.getName() + " serves test.Spread, which callbackHandlers[0]"
            + " serves already");
  }

  private static void assertProblem(NodeConfig config, String expected) {
    ConfigException error = assertThrows(ConfigException.class, () -> CallbackHandlers.load(config));
    assertTrue(error.getMessage().startsWith(expected), () -> "expected \"" + expected + "...\", got: "
        + error.getMessage());
  }
}
