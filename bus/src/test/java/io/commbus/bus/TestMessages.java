package io.commbus.bus;

/** Message types the tests exchange. */
final class TestMessages {

  private TestMessages() {
  }

  @MessageType("test.PriceQuoted")
  record PriceQuoted(String symbol, double price) implements Event {
  }

  record PlaceOrder(String symbol, int quantity) implements Command {
  }

  record GetPrice(String symbol) implements Query<Price> {
  }

  record Price(String symbol, double price) {
  }

  record Shout(String text) implements Query<String> {
  }

  record Ticks(String symbol, int count) implements Query<Tick> {
  }

  record Tick(int seq, double price) {
  }

  /** A query nobody ever answers in these tests. */
  record Unanswered(String why) implements Query<String> {
  }
}
