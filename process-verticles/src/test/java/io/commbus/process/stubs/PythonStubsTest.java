package io.commbus.process.stubs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.commbus.process.CallbackHandler;
import io.commbus.process.stubs.PythonStubs.Callback;
import io.commbus.process.stubs.PythonStubs.Pool;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stubs for Java types, checked by the real mypy ({@code /usr/bin/python3 -m mypy}, Debian's
 * python3-mypy) on workers that use them, and run by Python.
 */
class PythonStubsTest {

  /** The interpreter Debian's python3-mypy installs for. */
  private static final String PYTHON = "/usr/bin/python3";

  enum Side {
    BUY,
    @JsonProperty("sell")
    SELL
  }

  record Leg(String venue, double price) {
  }

  record Order(String orderId, Side side, int quantity, List<Leg> legs, Map<String, Double> fees,
               @JsonInclude(JsonInclude.Include.NON_NULL) String note) {
  }

  /** What a callback reads: Jackson takes any key left out, but the required one. */
  public static final class TickRequest {
    public String symbol;
    @JsonProperty(required = true)
    public int points;
    public List<String> tags;
  }

  record Tree(String name, List<Tree> children) {
  }

  record Keyed(@JsonProperty("from") String from, @JsonProperty("order-id") String orderId) {
  }

  /** A handler class: its item type is read from the type arguments it gives CallbackHandler. */
  static final class Ticks implements CallbackHandler<TickRequest, Order> {
    @Override
    public String module() {
      return "market";
    }

    @Override
    public String typeName() {
      return "Ticks";
    }

    @Override
    public Class<TickRequest> requestType() {
      return TickRequest.class;
    }

    @Override
    public void handle(TickRequest request, io.commbus.bus.StreamSink<Order> sink) {
      sink.end();
    }
  }

  private static PythonStubs stubs(boolean dataclasses) {
    CallbackHandler<JsonObject, Object> untyped = CallbackHandler.of("risk.Anything", JsonObject.class,
        (request, sink) -> sink.end());
    Ticks ticks = new Ticks();
    return new PythonStubs("node test", List.of(
        new Callback(ticks.path(), ticks.requestType(), ticks.itemType()),
        new Callback("risk.Check", Order.class, Tree.class),
        new Callback(untyped.path(), untyped.requestType(), untyped.itemType())),
        List.of(new Pool("py.pricing", "pricing.Quote", Keyed.class, Leg.class)), dataclasses);
  }

  @Test
  void theTypesAreJacksonsViewOfTheClasses() {
    Map<String, String> files = stubs(false).files();
    String types = files.get("commbus_types.py");

    assertTrue(types.contains("Side = Literal[\"BUY\", \"sell\"]"), types);  // Jackson's spelling of the constants
    assertTrue(types.contains("""
        class Order(TypedDict):
            \"""io.commbus.process.stubs.PythonStubsTest$Order, as Java writes it.\"""

            orderId: str
            side: Side
            quantity: int
            legs: list[Leg]
            fees: dict[str, float]
            note: NotRequired[str]
        """), types);
    // What Python writes: only the required key must be there.
    assertTrue(types.contains("""
            symbol: NotRequired[str]
            points: int
            tags: NotRequired[list[str]]
        """), types);
    // Order is both read and written by Java: two shapes.
    assertTrue(types.contains("class OrderInput(TypedDict):"), types);
    assertTrue(types.contains("    children: list[Tree]"), types);  // a type within itself
    assertTrue(types.contains("Keyed = TypedDict(\"Keyed\", {\"from\": str, \"order-id\": str})"), types);
    assertTrue(types.contains("PyPricingRequest = Keyed\nPyPricingReply = LegInput"), types);

    String callbacks = files.get(PythonStubs.CALLBACKS_STUB);
    assertTrue(callbacks.contains("""
            def Ticks(
                self, payload: TickRequest, *, timeout: float | None = ..., window: int = ...
            ) -> ItemStream[Order]: ...
        """), callbacks);
    assertTrue(callbacks.contains("def Anything(\n        self, payload: dict[str, Any] = ..."), callbacks);
    assertTrue(callbacks.contains("-> ItemStream[Any]: ..."), callbacks);  // a lambda's items: any JSON
    assertTrue(callbacks.contains("__all__ = [\"market\", \"risk\"]"), callbacks);
  }

  @Test
  void aWorkerUsingTheStubsPassesMypyStrictAndAWrongFieldIsATypeError(@TempDir Path dir) throws Exception {
    stubs(true).writeTo(dir);
    Path good = write(dir, "good_worker.py", """
        import commbus
        from commbus_types import Order, OrderData, PyPricingReply, PyPricingRequest


        async def handle(request: PyPricingRequest) -> PyPricingReply:
            total = 0.0
            async for order in commbus.market.Ticks({"symbol": request["from"], "points": 3}):
                total += sum(leg["price"] for leg in order["legs"]) * order["quantity"]
                if order["side"] == "sell":
                    total = -total
            async for tree in commbus.risk.Check({"orderId": request["order-id"]}):
                total += len(tree["children"])
            copy: Order = OrderData.from_dict(order).to_dict()
            return {"venue": copy["orderId"], "price": total}
        """);
    Path wrong = write(dir, "wrong_worker.py", """
        import commbus


        async def handle(request: object) -> float:
            async for order in commbus.market.Ticks({"symbl": "ACME", "points": 3}):
                return order["prize"]
            return 0.0
        """);

    Run checked = mypy(dir, good);
    assertEquals(0, checked.status(), checked.output());
    Run refused = mypy(dir, wrong);
    assertEquals(1, refused.status(), refused.output());
    assertTrue(refused.output().contains("Extra key \"symbl\" for TypedDict \"TickRequest\""), refused.output());
    assertTrue(refused.output().contains("TypedDict \"Order\" has no key \"prize\""), refused.output());
  }

  @Test
  void theDataclassesRoundTripAndTheTypesModuleRuns(@TempDir Path dir) throws Exception {
    stubs(true).writeTo(dir);
    Path script = write(dir, "round_trip.py", """
        import json
        from commbus_types import OrderData, TreeData

        order = {"orderId": "o-1", "side": "sell", "quantity": 2, "legs": [{"venue": "X", "price": 1.5}],
                 "fees": {"exchange": 0.1}}
        data = OrderData.from_dict(order)
        assert data.legs[0].venue == "X" and data.note is None, data
        assert data.to_dict() == order, data.to_dict()
        noted = dict(order, note="rush")
        assert OrderData.from_dict(noted).to_dict() == noted
        tree = {"name": "root", "children": [{"name": "leaf", "children": []}]}
        assert TreeData.from_dict(tree).children[0].name == "leaf"
        assert TreeData.from_dict(tree).to_dict() == tree
        print("ok")
        """);
    Run run = run(dir, List.of(PYTHON, script.toString()));
    assertEquals(0, run.status(), run.output());
    assertEquals("ok", run.output().strip());
  }

  @Test
  void theNamesACallbackNamespaceCannotTakeAreTheSdksOwn(@TempDir Path dir) throws Exception {
    io.commbus.process.pool.PythonSdk.copyInto(dir);
    Run listed = run(dir, List.of(PYTHON, "-c", "import commbus, pkgutil; print(' '.join(sorted("
        + "{n for n in dir(commbus) if not n.startswith('_')} | "
        + "{m.name for m in pkgutil.iter_modules(commbus.__path__) if not m.name.startswith('_')})))"));
    assertEquals(0, listed.status(), listed.output());
    Set<String> sdk = new TreeSet<>(List.of(listed.output().strip().split(" ")));
    sdk.removeAll(PythonStubs.SDK_NAMES);
    // Classes and constants cannot clash with a namespace of lower-case callback modules; the rest must be listed.
    sdk.removeIf(name -> Character.isUpperCase(name.charAt(0)));
    assertEquals(Set.of(), sdk, "names of the SDK missing from PythonStubs.SDK_NAMES");
  }

  private static Path write(Path dir, String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private record Run(int status, String output) {
  }

  private static Run mypy(Path dir, Path file) throws Exception {
    Run version = run(dir, List.of(PYTHON, "-m", "mypy", "--version"));
    assertEquals(0, version.status(), "mypy is required for " + PYTHON + " (Debian: apt-get install python3-mypy): "
        + version.output());
    return run(dir, List.of(PYTHON, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null",
        file.toString()));
  }

  private static Run run(Path dir, List<String> command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
        .redirectErrorStream(true);
    builder.environment().put("MYPYPATH", dir.toString());
    builder.environment().put("PYTHONPATH", dir.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
    return new Run(process.exitValue(), output);
  }
}
