package io.commbus.node.demo;

import io.commbus.bus.Command;
import io.commbus.bus.Event;
import io.commbus.bus.MessageType;
import io.commbus.bus.Query;

/** The message types the demo exchanges. */
public final class DemoMessages {

  private DemoMessages() {
  }

  @MessageType("demo.OrderPlaced")
  public record OrderPlaced(String orderId, String symbol, int quantity) implements Event {
  }

  @MessageType("demo.ReserveStock")
  public record ReserveStock(String orderId, String symbol, int quantity) implements Command {
  }

  @MessageType("demo.GetQuote")
  public record GetQuote(String symbol) implements Query<Quote> {
  }

  public record Quote(String symbol, double bid, double ask) {
  }

  @MessageType("demo.PriceTicks")
  public record PriceTicks(String symbol, int count) implements Query<Tick> {
  }

  public record Tick(int seq, double price) {
  }
}
