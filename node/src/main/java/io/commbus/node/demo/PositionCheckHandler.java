package io.commbus.node.demo;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;

/** {@code risk.PositionCheck}: allows a trade while its notional stays under a limit. */
public final class PositionCheckHandler implements CallbackHandler<PositionCheckHandler.Request, PositionCheckHandler.Verdict> {

  /** The largest notional (quantity × price) a single trade may have. */
  public static final double LIMIT = 250_000;

  /** The position to check. */
  public static final class Request {
    public String symbol;
    public int quantity;
    public double price;
  }

  /** Whether the trade may go ahead, and why not. */
  public record Verdict(boolean allowed, String reason) {
  }

  @Override
  public String module() {
    return "risk";
  }

  @Override
  public String typeName() {
    return "PositionCheck";
  }

  @Override
  public Class<Request> requestType() {
    return Request.class;
  }

  @Override
  public void handle(Request request, StreamSink<Verdict> sink) {
    double notional = request.quantity * request.price;
    sink.write(notional <= LIMIT ? new Verdict(true, "within limit")
        : new Verdict(false, String.format("notional %.0f exceeds the limit of %.0f", notional, LIMIT)));
    sink.end();
  }
}
