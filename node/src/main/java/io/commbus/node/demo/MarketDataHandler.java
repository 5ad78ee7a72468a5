package io.commbus.node.demo;

import io.commbus.bus.StreamSink;
import io.commbus.process.CallbackHandler;

/**
 * {@code market.MarketData}: streams price points for a symbol, as fast as the Python reader
 * takes them. Prices are made up but repeatable: a level per symbol and a gentle wave.
 */
public final class MarketDataHandler implements CallbackHandler<MarketDataHandler.Request, MarketDataHandler.PricePoint> {

  /** What the strategy asks for. */
  public static final class Request {
    public String symbol;
    public int points = 100;
  }

  /** One price point. */
  public record PricePoint(String symbol, int seq, double price, long volume) {
  }

  @Override
  public String module() {
    return "market";
  }

  @Override
  public String typeName() {
    return "MarketData";
  }

  @Override
  public Class<Request> requestType() {
    return Request.class;
  }

  @Override
  public void handle(Request request, StreamSink<PricePoint> sink) {
    write(request, sink, 0);
  }

  /** Writes while the reader has credit, and resumes on drain: a slow reader slows this down. */
  private void write(Request request, StreamSink<PricePoint> sink, int from) {
    int next = from;
    while (next < request.points && !sink.writeQueueFull()) {
      sink.write(point(request.symbol, next++));
    }
    if (next == request.points) {
      sink.end();
    } else if (!sink.isCancelled()) {
      int resume = next;
      sink.drainHandler(v -> write(request, sink, resume));
    }
  }

  static PricePoint point(String symbol, int seq) {
    double level = 50 + Math.floorMod(symbol.hashCode(), 400);
    double price = Math.round((level + Math.sin(seq / 7.0) * level * 0.01) * 100) / 100.0;
    return new PricePoint(symbol, seq, price, 1000L + seq * 10L);
  }
}
